//! Kinds of towns, offices and departments, with their codes and names in both languages.

kinds!(
    /// 镇 / 乡 / 街道, from the official name suffix.
    TownKind, "乡镇类型", "town kind" {
        Town = "town", "镇", "town";
        Township = "township", "乡", "township";
        Street = "street", "街道", "street";
        Other = "other", "其他", "other";
    }
);

impl TownKind {
    /// The kind as written in the official division list.
    pub fn from_zh(value: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.zh() == value)
    }
}

kinds!(
    /// Where applications are taken and decided.
    OfficeKind, "办事机构类型", "office kind" {
        CountyHall = "county_hall", "县级政务服务大厅", "county service hall";
        Branch = "branch", "审批服务分局", "approval branch office";
        Centre = "centre", "便民服务中心", "convenience service centre";
    }
);

kinds!(
    /// The bodies of a county government. The first eight are the approval bureau and the seven
    /// enforcement departments of the reform; the others hold items of the catalog.
    DepartmentKind, "部门类型", "department kind" {
        ApprovalBureau = "approval_bureau", "行政审批服务局", "administrative approval bureau";
        TrafficPolice = "traffic_police", "公安交警", "traffic police";
        Ecology = "ecology", "生态环境", "ecology and environment";
        NaturalResources = "natural_resources", "自然资源", "natural resources";
        Transport = "transport", "交通运输", "transport";
        Emergency = "emergency", "应急管理", "emergency management";
        MarketRegulation = "market_regulation", "市场监管", "market regulation";
        Enforcement = "enforcement", "综合行政执法", "comprehensive administrative enforcement";
        DevelopmentReform = "development_reform", "发展和改革", "development and reform";
        Industry = "industry", "工业和信息化", "industry and information technology";
        Education = "education", "教育和体育", "education and sports";
        PublicSecurity = "public_security", "公安", "public security";
        CivilAffairs = "civil_affairs", "民政", "civil affairs";
        Justice = "justice", "司法", "justice";
        Finance = "finance", "财政", "finance";
        HumanResources = "human_resources", "人力资源和社会保障", "human resources and social security";
        Housing = "housing", "住房和城乡建设", "housing and urban-rural development";
        Water = "water", "水利", "water resources";
        Agriculture = "agriculture", "农业农村", "agriculture and rural affairs";
        Commerce = "commerce", "商务", "commerce";
        Culture = "culture", "文化和旅游", "culture and tourism";
        Health = "health", "卫生健康", "health";
        Veterans = "veterans", "退役军人事务", "veterans affairs";
        MedicalInsurance = "medical_insurance", "医疗保障", "medical insurance";
        Forestry = "forestry", "林业", "forestry";
        Statistics = "statistics", "统计", "statistics";
        Tax = "tax", "税务", "taxation";
        Disabled = "disabled", "残疾人联合会", "disabled persons' federation";
        Meteorology = "meteorology", "气象", "meteorology";
        Tobacco = "tobacco", "烟草专卖", "tobacco monopoly";
        FireRescue = "fire_rescue", "消防救援", "fire and rescue";
        GovernmentOffice = "government_office", "政府办公室", "government office";
        PartyOffice = "party_office", "党委办公室", "party committee office";
        UnitedFront = "united_front", "统战部", "united front work department";
        PublicResources = "public_resources", "公共资源交易", "public resources trading";
    }
);

impl DepartmentKind {
    /// Two letters that end a department code, e.g. 371402SJ.
    pub fn letters(self) -> &'static str {
        match self {
            Self::ApprovalBureau => "SP",
            Self::TrafficPolice => "JJ",
            Self::Ecology => "HJ",
            Self::NaturalResources => "ZR",
            Self::Transport => "JT",
            Self::Emergency => "YJ",
            Self::MarketRegulation => "SJ",
            Self::Enforcement => "ZF",
            Self::DevelopmentReform => "FG",
            Self::Industry => "GX",
            Self::Education => "JY",
            Self::PublicSecurity => "GA",
            Self::CivilAffairs => "MZ",
            Self::Justice => "SF",
            Self::Finance => "CZ",
            Self::HumanResources => "RS",
            Self::Housing => "ZJ",
            Self::Water => "SL",
            Self::Agriculture => "NY",
            Self::Commerce => "SW",
            Self::Culture => "WL",
            Self::Health => "WJ",
            Self::Veterans => "TY",
            Self::MedicalInsurance => "YB",
            Self::Forestry => "LY",
            Self::Statistics => "TJ",
            Self::Tax => "SS",
            Self::Disabled => "CL",
            Self::Meteorology => "QX",
            Self::Tobacco => "YC",
            Self::FireRescue => "XF",
            Self::GovernmentOffice => "ZB",
            Self::PartyOffice => "WB",
            Self::UnitedFront => "TZ",
            Self::PublicResources => "GG",
        }
    }

    /// The approval bureau and the seven enforcement departments.
    pub fn is_reform_core(self) -> bool {
        (self as usize) < 8
    }

    /// The body's usual name after the county's, e.g. 德城区 + 市场监督管理局.
    pub fn body_name(self) -> &'static str {
        match self {
            Self::ApprovalBureau => "行政审批服务局",
            Self::TrafficPolice => "公安局交通警察大队",
            Self::Ecology => "生态环境分局",
            Self::NaturalResources => "自然资源局",
            Self::Transport => "交通运输局",
            Self::Emergency => "应急管理局",
            Self::MarketRegulation => "市场监督管理局",
            Self::Enforcement => "综合行政执法局",
            Self::DevelopmentReform => "发展和改革局",
            Self::Industry => "工业和信息化局",
            Self::Education => "教育和体育局",
            Self::PublicSecurity => "公安局",
            Self::CivilAffairs => "民政局",
            Self::Justice => "司法局",
            Self::Finance => "财政局",
            Self::HumanResources => "人力资源和社会保障局",
            Self::Housing => "住房和城乡建设局",
            Self::Water => "水利局",
            Self::Agriculture => "农业农村局",
            Self::Commerce => "商务局",
            Self::Culture => "文化和旅游局",
            Self::Health => "卫生健康局",
            Self::Veterans => "退役军人事务局",
            Self::MedicalInsurance => "医疗保障局",
            Self::Forestry => "林业局",
            Self::Statistics => "统计局",
            Self::Tax => "税务局",
            Self::Disabled => "残疾人联合会",
            Self::Meteorology => "气象局",
            Self::Tobacco => "烟草专卖局",
            Self::FireRescue => "消防救援大队",
            Self::GovernmentOffice => "人民政府办公室",
            Self::PartyOffice => "党委办公室",
            Self::UnitedFront => "党委统战部",
            Self::PublicResources => "公共资源交易中心",
        }
    }

    /// Words that identify the body in a published list's 实施主体 column, e.g. 区人社局. Checked
    /// in order, so the more specific kinds come first.
    fn keywords(self) -> &'static [&'static str] {
        match self {
            Self::ApprovalBureau => &["行政审批", "审批服务"],
            Self::TrafficPolice => &["交警", "交通警察"],
            Self::Ecology => &["生态环境", "环保"],
            Self::NaturalResources => &["自然资源", "国土"],
            Self::Transport => &["交通运输", "交通局"],
            Self::Emergency => &["应急"],
            Self::MarketRegulation => &["市监", "市场监督", "市场监管"],
            Self::Enforcement => &["综合执法", "综合行政执法", "城管"],
            Self::DevelopmentReform => &["发改", "发展和改革", "发展改革"],
            Self::Industry => &["经信", "工信", "工业和信息化"],
            Self::Education => &["教育", "教科体", "教体"],
            Self::PublicSecurity => &["公安"],
            Self::CivilAffairs => &["民政"],
            Self::Justice => &["司法"],
            Self::Finance => &["财政"],
            Self::HumanResources => &["人社", "人力资源"],
            Self::Housing => &["住建", "住房和城乡建设", "住房城乡建设"],
            Self::Water => &["水务", "水利"],
            Self::Agriculture => &["农业农村", "农业", "畜牧"],
            Self::Commerce => &["商务"],
            Self::Culture => &["文广旅", "文旅", "文化和旅游", "文化"],
            Self::Health => &["卫健", "卫生健康", "卫生"],
            Self::Veterans => &["退役军人"],
            Self::MedicalInsurance => &["医保", "医疗保障"],
            Self::Forestry => &["林业"],
            Self::Statistics => &["统计"],
            Self::Tax => &["税务"],
            Self::Disabled => &["残联", "残疾人"],
            Self::Meteorology => &["气象"],
            Self::Tobacco => &["烟草"],
            Self::FireRescue => &["消防"],
            Self::GovernmentOffice => &["政府办"],
            Self::PartyOffice => &["委办"],
            Self::UnitedFront => &["统战"],
            Self::PublicResources => &["公管办", "公共资源"],
        }
    }

    /// The kind of body a published name such as 区人社局 or 广安区税务局 refers to.
    pub fn from_body_name(name: &str) -> Option<Self> {
        let name = name.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.keywords().iter().any(|w| name.contains(w)))
    }

    pub fn from_letters(letters: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.letters() == letters)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip_and_unknown_names_the_choices() {
        for k in DepartmentKind::ALL {
            assert_eq!(DepartmentKind::parse("kind", k.slug()), Ok(*k));
            assert_eq!(DepartmentKind::from_letters(k.letters()), Some(*k));
        }
        let err = OfficeKind::parse("kind", "hall").unwrap_err();
        assert_eq!(err.field(), Some("kind"));
        assert!(err.message().en.contains("county_hall, branch, centre"));
    }

    #[test]
    fn letters_are_unique_and_published_body_names_are_recognised() {
        let mut letters: Vec<&str> = DepartmentKind::ALL.iter().map(|k| k.letters()).collect();
        letters.sort_unstable();
        letters.dedup();
        assert_eq!(letters.len(), DepartmentKind::ALL.len());
        for (name, kind) in [
            ("区行政审批局", DepartmentKind::ApprovalBureau),
            ("区人社局", DepartmentKind::HumanResources),
            ("区公安分局", DepartmentKind::PublicSecurity),
            ("区交通运输局", DepartmentKind::Transport),
            ("区委统战部", DepartmentKind::UnitedFront),
            ("区委办", DepartmentKind::PartyOffice),
            ("广安区税务局", DepartmentKind::Tax),
            ("区市监局", DepartmentKind::MarketRegulation),
            ("区教科体局", DepartmentKind::Education),
        ] {
            assert_eq!(DepartmentKind::from_body_name(name), Some(kind), "{name}");
        }
        assert_eq!(DepartmentKind::from_body_name("区宇宙局"), None);
        assert_eq!(
            DepartmentKind::ALL
                .iter()
                .filter(|k| k.is_reform_core())
                .count(),
            8
        );
    }

    #[test]
    fn town_kind_reads_the_official_suffix_names() {
        assert_eq!(TownKind::from_zh("街道"), Some(TownKind::Street));
        assert_eq!(TownKind::from_zh("村"), None);
    }
}
