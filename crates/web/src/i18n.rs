//! Interface text in Simplified Chinese (the default) and English.

use std::collections::HashMap;
use std::sync::LazyLock;

use tongquan_domain::Message;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn from_cookie(v: Option<&str>) -> Self {
        match v {
            Some("en") => Self::En,
            _ => Self::Zh,
        }
    }

    pub fn parse(v: &str) -> Option<Self> {
        match v {
            "zh" | "zh-CN" => Some(Self::Zh),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The value of the HTML `lang` attribute.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Zh => "zh-CN",
            Self::En => "en",
        }
    }

    pub fn cookie_value(self) -> &'static str {
        match self {
            Self::Zh => "zh",
            Self::En => "en",
        }
    }

    pub fn other(self) -> Self {
        match self {
            Self::Zh => Self::En,
            Self::En => Self::Zh,
        }
    }

    /// The interface text for `key`. An unknown key shows itself, and a test keeps templates and
    /// this table in step.
    pub fn t(self, key: &str) -> &'static str {
        match TABLE.get(key) {
            Some((zh, en)) => match self {
                Self::Zh => zh,
                Self::En => en,
            },
            None => {
                tracing::warn!(key, "missing interface text");
                "??"
            }
        }
    }

    /// The label of a kind stored by its slug; an unknown slug shows itself.
    pub fn kind<K: tongquan_domain::Kind>(self, slug: &str) -> String {
        K::all()
            .iter()
            .find(|k| k.slug() == slug)
            .map_or_else(|| slug.to_owned(), |k| self.pick(&k.label()).to_owned())
    }

    pub fn pick(self, m: &Message) -> &str {
        match self {
            Self::Zh => &m.zh,
            Self::En => &m.en,
        }
    }
}

static TABLE: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> =
    LazyLock::new(|| TEXTS.iter().map(|(k, zh, en)| (*k, (*zh, *en))).collect());

pub fn has_key(key: &str) -> bool {
    TABLE.contains_key(key)
}

const TEXTS: &[(&str, &str, &str)] = &[
    ("app.name", "同权", "tongquan"),
    (
        "app.tagline",
        "县镇同权改革服务平台",
        "County-town equal powers platform",
    ),
    ("app.city", "德州市", "Dezhou"),
    ("lang.switch", "English", "中文"),
    ("nav.home", "首页", "Home"),
    ("nav.report", "举报", "Report"),
    ("nav.enforcement", "执法", "Enforcement"),
    ("nav.leads", "线索", "Leads"),
    ("draw.title", "双随机抽查", "Random inspections"),
    (
        "draw.intro",
        "抽取前公布抽取库与种子的承诺值（SHA-256），抽取后公布种子与结果；任何人可据公布的数据重算核验。",
        "Before a draw the pools and the commitment (SHA-256 of the seed) are published; after it, the seed and the picks. Anyone can recompute the draw from what was published.",
    ),
    ("draw.none", "暂无抽查。", "No draws yet."),
    ("draw.department", "部门", "Department"),
    ("draw.on", "检查日期", "Inspection day"),
    ("draw.state", "状态", "State"),
    ("draw.committed", "已公布承诺值", "committed"),
    ("draw.revealed", "已公布结果", "revealed"),
    (
        "draw.pool",
        "抽取库（对象/人员）",
        "Pool (objects / officers)",
    ),
    ("draw.objects", "个对象", "objects"),
    ("draw.officers", "名执法人员", "officers"),
    ("draw.committed_at", "承诺时间", "Committed at"),
    ("draw.inputs_digest", "输入摘要", "Inputs digest"),
    ("draw.commitment", "种子承诺值", "Seed commitment"),
    ("draw.seed", "种子", "Seed"),
    ("draw.not_revealed", "尚未公布", "not yet revealed"),
    (
        "draw.document",
        "下载公布文件（JSON）",
        "Download the published document (JSON)",
    ),
    ("draw.object", "检查对象", "Object"),
    ("draw.grade", "风险等级", "Risk grade"),
    ("draw.team", "执法人员", "Officers"),
    (
        "enf.title",
        "执法下沉成效",
        "Enforcement moved down: results",
    ),
    (
        "enf.intro",
        "检查次数按同期（1月1日至今日）比较改革前一年与今年；联合检查一次计一次。",
        "Visits compare the same span (1 January to today) of last year and this year; a joint visit counts once.",
    ),
    ("enf.before", "改革前", "Before"),
    ("enf.after", "今年", "This year"),
    ("enf.objects", "检查对象", "Objects"),
    ("enf.visits_before", "检查次数（前）", "Visits (before)"),
    ("enf.visits_after", "检查次数（今年）", "Visits (this year)"),
    ("enf.per_object_before", "户均（前）", "Per object (before)"),
    (
        "enf.per_object_after",
        "户均（今年）",
        "Per object (this year)",
    ),
    ("enf.reduction", "减少", "Reduction"),
    ("enf.hazards_found", "发现隐患", "Hazards found"),
    ("enf.hazards_closed", "已销号", "Hazards closed"),
    ("enf.leads", "线索", "Leads"),
    (
        "enf.median_on_site",
        "到场用时中位数（分钟）",
        "Median minutes to site",
    ),
    ("enf.breaches", "超时到场", "Late arrivals"),
    (
        "enf.chart",
        "户均检查次数：改革前与今年",
        "Visits per object: before and this year",
    ),
    (
        "plan_joint.title",
        "今年检查计划：合并为联合检查",
        "This year's inspection plan, merged into joint visits",
    ),
    ("plan_joint.separate", "各部门分别检查", "Departments alone"),
    ("plan_joint.joint", "联合检查", "joint visits"),
    ("plan_joint.bound", "下界", "lower bound"),
    ("plan_joint.optimal", "已证明最少", "proven fewest"),
    ("officer.title", "下沉执法人员", "Dispatched officers"),
    ("officer.name", "姓名", "Name"),
    ("officer.department", "所属部门", "Department"),
    ("officer.credential", "执法证号", "Credential"),
    ("officer.fields", "执法领域", "Fields"),
    ("officer.valid_to", "有效期至", "Valid to"),
    (
        "officer.expired",
        "已过期，不得执法",
        "expired: may not act",
    ),
    ("officer.form", "下沉方式", "Dispatch"),
    ("officer.towns", "派驻乡镇", "Towns"),
    ("officer.none", "暂无执法人员。", "No officers."),
    ("lead.title", "线索", "Lead"),
    ("lead.queue", "线索处置", "Leads"),
    ("lead.none", "暂无线索。", "No leads."),
    ("lead.state", "状态", "State"),
    ("lead.source", "来源", "Source"),
    ("lead.domain", "领域", "Field"),
    ("lead.description", "问题描述", "Description"),
    ("lead.address", "地点描述", "Address"),
    ("lead.urgency", "紧急程度", "Urgency"),
    ("lead.handler", "承办", "Handled by"),
    ("lead.disposal", "处置情况", "What was done"),
    ("lead.received", "接收时间", "Received"),
    ("lead.at", "时间", "At"),
    ("lead.minutes", "分钟", "minutes"),
    ("lead.target", "到场时限", "On-site target"),
    ("lead.breached", "已超时", "target missed"),
    (
        "lead.on_site_minutes",
        "到场用时（分钟）",
        "Minutes to site",
    ),
    ("report.title", "问题举报", "Report a problem"),
    (
        "report.intro",
        "无需登录。请选择乡镇或填写经纬度，系统按执法权限自动分派至乡镇综合执法队或县直部门。",
        "No sign-in needed. Choose the town or give coordinates; the report goes to the town team or the county department, whoever holds the power.",
    ),
    (
        "report.or_point",
        "或填写经纬度（WGS-84）",
        "or coordinates (WGS-84)",
    ),
    ("report.lat", "纬度", "Latitude"),
    ("report.lon", "经度", "Longitude"),
    ("report.contact", "联系方式（可不填）", "Contact (optional)"),
    ("report.submit", "提交举报", "Submit report"),
    (
        "report.open311",
        "本平台的举报接口兼容 Open311 GeoReport v2：",
        "Reports can also be filed by any Open311 GeoReport v2 client:",
    ),
    ("report.status", "举报编号", "Report"),
    (
        "report.keep_number",
        "请记下举报编号和查询码，凭二者随时查看办理进度；查询码只显示这一次。",
        "Keep the report number and the check code to follow its progress; the code is shown only this once.",
    ),
    ("report.follow", "查看办理进度", "Follow the report"),
    (
        "report.follow_intro",
        "请输入提交举报时得到的查询码。",
        "Enter the check code you were given when you filed the report.",
    ),
    (
        "visit.title",
        "企业受检记录",
        "Inspections of my enterprise",
    ),
    (
        "visit.intro",
        "输入统一社会信用代码查看本企业接受的检查；凭检查时取得的评价码匿名评价每次检查。",
        "Enter the unified social credit code to see the visits your enterprise received; rate each anonymously with the code handed over at the visit.",
    ),
    (
        "visit.credit_code",
        "统一社会信用代码",
        "Unified social credit code",
    ),
    ("visit.none", "暂无检查记录。", "No visits recorded."),
    ("visit.on", "检查日期", "Visited on"),
    ("visit.departments", "参与部门", "Departments"),
    ("visit.trigger", "缘由", "Why"),
    ("visit.found", "发现问题", "Findings"),
    ("visit.rated", "已评价", "Rated"),
    ("visit.rate", "评价检查", "Rate a visit"),
    ("visit.code", "评价码", "Rating code"),
    ("visit.comment", "意见（可不填）", "Comment (optional)"),
    ("visit.thanks", "感谢评价。", "Thank you for your rating."),
    ("nav.counties", "县（市、区）", "Counties"),
    ("nav.towns", "乡镇（街道）", "Towns"),
    ("nav.offices", "办事机构", "Offices"),
    ("nav.departments", "部门", "Departments"),
    ("nav.map", "地图", "Map"),
    ("nav.about", "关于", "About"),
    ("nav.accounts", "账号", "Accounts"),
    ("nav.audit", "审计", "Audit"),
    ("nav.login", "登录", "Sign in"),
    ("nav.logout", "退出", "Sign out"),
    ("nav.password", "修改密码", "Change password"),
    ("common.code", "代码", "Code"),
    ("common.name", "名称", "Name"),
    ("common.kind", "类型", "Kind"),
    ("common.county", "县（市、区）", "County"),
    ("common.town", "乡镇（街道）", "Town"),
    ("common.all", "全部", "All"),
    ("common.filter", "筛选", "Filter"),
    ("common.save", "保存", "Save"),
    ("common.saved", "已保存。", "Saved."),
    ("common.page", "页", "page"),
    ("common.of", "共", "of"),
    ("common.prev", "上一页", "Previous"),
    ("common.next", "下一页", "Next"),
    ("common.total", "合计", "Total"),
    ("common.none", "—", "—"),
    ("common.not_recorded", "未登记", "not recorded"),
    ("common.phone", "电话", "Telephone"),
    ("common.address", "地址", "Address"),
    ("common.hours", "办公时间", "Opening hours"),
    ("common.version", "版本", "Version"),
    ("common.illustrative", "示意", "illustrative"),
    (
        "common.illustrative_note",
        "位置与服务范围为根据地理数据生成的示意布局，并非官方公布的设置。",
        "Placement and service area are an illustrative layout generated from geography, not an official record.",
    ),
    ("common.edit", "修改", "Edit"),
    ("common.error", "出错了", "Error"),
    ("common.back", "返回", "Back"),
    ("common.lat", "纬度", "Latitude"),
    ("common.lon", "经度", "Longitude"),
    ("common.yes", "是", "yes"),
    ("common.no", "否", "no"),
    (
        "home.lead",
        "审批权力下放到乡镇，执法力量下沉到乡镇，改革成效用数据说话。",
        "Approval powers move down to towns, enforcement officers move to towns, and the results are measured.",
    ),
    ("home.figures", "基本情况", "At a glance"),
    (
        "home.beyond10",
        "距县级政务服务大厅超过 10 公里的乡镇",
        "Towns more than 10 km from their county service hall",
    ),
    (
        "home.beyond15",
        "距县级政务服务大厅超过 15 公里的乡镇",
        "Towns more than 15 km from their county service hall",
    ),
    ("home.branches", "审批服务分局", "Approval branch offices"),
    (
        "home.centres",
        "便民服务中心",
        "Convenience service centres",
    ),
    ("home.see_map", "查看地图", "See the map"),
    ("county.seat", "县城驻地", "County seat"),
    ("county.towns", "乡镇数", "Towns"),
    ("county.hall", "政务服务大厅", "Service hall"),
    ("town.coordinates", "坐标", "Coordinates"),
    (
        "town.no_coordinates",
        "无坐标：公开资料中没有该乡镇的位置，需要坐标的功能会单独说明。",
        "No coordinates: no public source locates this town; features that need a position say so.",
    ),
    ("town.coord_source", "坐标来源", "Coordinate source"),
    ("town.hall_km", "距县级大厅", "To county hall"),
    ("town.served_by", "审批办理机构", "Approval office"),
    ("town.population", "人口", "Population"),
    (
        "town.population_hint",
        "用于规划时按人口加权；留空表示未登记。",
        "Used to weigh demand in planning; leave empty if unknown.",
    ),
    ("office.served_towns", "服务乡镇", "Towns served"),
    ("office.location", "所在地", "Location"),
    ("dept.body", "部门", "Department"),
    (
        "map.title",
        "乡镇到县级政务服务大厅的距离",
        "Distance from each town to its county service hall",
    ),
    ("map.legend.near", "10 公里以内", "within 10 km"),
    ("map.legend.beyond10", "10–15 公里", "10–15 km"),
    ("map.legend.beyond15", "超过 15 公里", "more than 15 km"),
    ("map.legend.hall", "县级政务服务大厅", "county service hall"),
    (
        "map.unlocated",
        "没有坐标、未在图上标出的乡镇",
        "Towns without coordinates, not drawn on the map",
    ),
    ("map.located", "有坐标的乡镇", "Towns with coordinates"),
    ("map.share", "占比", "Share"),
    ("map.whole_city", "全市", "Whole city"),
    (
        "map.note",
        "距离为直线（大圆）距离。县界为县级边界（约 2017 年），天衢新区无单独边界，其乡镇画在德城区内。",
        "Distances are great-circle. Boundaries are county level (about 2017); 天衢新区 has no separate polygon, so its towns fall inside 德城区.",
    ),
    ("nav.guide", "办事指南", "Service guide"),
    ("nav.catalog", "事项目录", "Catalog"),
    ("nav.batches", "赋权批次", "Delegation batches"),
    ("nav.matrix", "赋权矩阵", "Delegation matrix"),
    ("nav.cases", "办件", "Cases"),
    ("nav.track", "办件查询", "Track a case"),
    ("guide.apply", "网上申请", "Apply online"),
    ("case.queue", "办件队列", "Case queue"),
    (
        "case.tasks",
        "待办任务（差评整改、承诺核查）",
        "Tasks (bad-rating follow-ups, commitment checks)",
    ),
    ("case.state", "状态", "State"),
    ("case.open_only", "仅未办结", "Open only"),
    ("case.tracking_no", "办件编号", "Tracking number"),
    ("case.check_code", "查询码", "Check code"),
    ("case.applicant", "申请人", "Applicant"),
    ("case.channel", "渠道", "Channel"),
    ("case.submitted", "提交申请", "submitted"),
    ("case.submitted_on", "申请日期", "Submitted"),
    ("case.accepted_on", "受理日期", "Accepted"),
    ("case.answer_by", "受理期限", "Answer by"),
    (
        "case.deemed_accepted",
        "逾期未告知补正，视为受理",
        "deemed accepted (no answer within 5 working days)",
    ),
    ("case.decided_on", "决定日期", "Decided"),
    ("case.on_time", "按时", "on time"),
    (
        "case.late_statutory",
        "超过法定时限",
        "after the statutory limit",
    ),
    (
        "case.late_promised",
        "超过承诺时限",
        "after the promised limit",
    ),
    ("case.concluded_on", "办结日期", "Concluded"),
    ("case.due", "到期日", "Due"),
    ("case.remaining", "剩余工作日", "Working days left"),
    ("case.none", "暂无。", "None."),
    (
        "case.capped",
        "超过 10000 件时只计到 10000；请用状态等条件缩小范围。",
        "Counting stops at 10,000 cases; narrow the list with the filters.",
    ),
    (
        "case.colours",
        "剩余 2 个工作日及以内标黄，超期标红；补正等计时中止期间不显示。",
        "Amber: two working days or fewer left; red: overdue; nothing while the clock is stopped.",
    ),
    ("case.intake", "收件窗口", "taken in at"),
    (
        "case.km_saved",
        "较县级大厅少跑",
        "Distance saved against the county hall",
    ),
    ("case.rating", "评价", "Rating"),
    (
        "case.how_due",
        "到期日如何计算",
        "How the due date was computed",
    ),
    ("case.material", "材料", "Material"),
    ("case.file", "文件", "File"),
    ("case.size", "字节", "Bytes"),
    ("case.next", "下一步", "Next step"),
    (
        "case.missing",
        "需补正的材料（一次性告知）",
        "Missing materials (all at once)",
    ),
    ("case.reason", "理由或说明", "Reason or note"),
    ("case.history", "办理过程", "History"),
    ("case.day", "日期", "Date"),
    ("case.step", "环节", "Step"),
    ("case.by", "经办", "By"),
    ("case.print", "打印文书", "Print notice"),
    ("case.new_code", "新查询码", "New check code"),
    (
        "case.new_code_note",
        "原查询码已失效，错误尝试已清除。请将新查询码交给申请人本人；本页关闭后不再显示。",
        "The old check code no longer works and the failed attempts are cleared. Give the new code to the applicant in person; it is not shown again once this page is closed.",
    ),
    ("case.reissue", "重新发放查询码", "Issue a new check code"),
    ("case.back", "返回办件", "Back to the case"),
    (
        "case.scope",
        "许可范围（可选，默认为事项名称）",
        "Scope of the licence (optional; the item by default)",
    ),
    ("common.print", "打印", "Print"),
    (
        "catalog.four_eyes",
        "许可决定须两人办理：一人审核，另一名有决定权的人员审批",
        "Decisions need two people: one examines, another with decision rights decides",
    ),
    (
        "common.confirm",
        "我已核对，确认此操作（不可撤回）",
        "I have checked and confirm this step (it cannot be undone)",
    ),
    ("case.pauses", "计时中止", "Clock stopped"),
    ("case.method", "方式", "Method"),
    ("case.open_case", "查看办件", "Open the case"),
    (
        "bundle.title",
        "一件事",
        "Bundles (one application, several items)",
    ),
    (
        "bundle.intro",
        "一次申请、一套材料，多个事项并联办理。",
        "One application and one set of materials for several items, decided in parallel.",
    ),
    ("bundle.name", "一件事名称", "Bundle"),
    ("bundle.items", "包含事项", "Items"),
    ("bundle.none", "暂无一件事。", "No bundles yet."),
    (
        "bundle.materials",
        "材料（共用材料只交一次）",
        "Materials (shared ones handed in once)",
    ),
    (
        "bundle.keep_code",
        "请记下一件事编号和查询码：查询码只显示这一次，可用它查询一件事及其中每一个办件。",
        "Note the bundle number and check code: the code is shown only now, and opens the bundle and each of its cases.",
    ),
    ("bundle.tracking_no", "一件事编号", "Bundle number"),
    ("bundle.count", "一件事数", "Bundles"),
    ("bundle.concluded", "已办结", "Concluded"),
    (
        "bundle.within_one_day",
        "一个工作日内办结",
        "Concluded within one working day",
    ),
    (
        "bundle.mean_days",
        "平均用时（工作日）",
        "Mean lead time (working days)",
    ),
    ("bundle.lead_time", "用时", "Lead time"),
    ("bundle.working_days", "个工作日", "working days"),
    ("bundle.open", "办理中", "in progress"),
    ("bundle.of", "所属一件事", "Part of bundle"),
    ("service.title", "便民服务", "Convenience services"),
    ("service.town", "群众所在乡镇", "Resident's town"),
    ("service.minutes", "用时（分钟）", "Minutes taken"),
    ("service.record", "登记服务", "Record the service"),
    ("service.taken_on", "受理日期", "Taken"),
    ("service.done_on", "办结日期", "Done"),
    (
        "service.none",
        "暂无便民服务记录。",
        "No services recorded.",
    ),
    (
        "service.capped",
        "超过 10000 件时只计到 10000。",
        "Counting stops at 10,000 services.",
    ),
    ("clock.title", "办理时限", "Time limit"),
    ("clock.pause", "中止计时", "Stop the clock"),
    ("clock.resume", "恢复计时", "Start the clock again"),
    ("clock.reason", "法定不计时事由", "Period the law excludes"),
    ("clock.extend", "申请延期", "Ask for an extension"),
    (
        "clock.days",
        "延长工作日（1–10 日，仅可延长一次）",
        "Working days more (1–10, once)",
    ),
    ("clock.approve", "批准延期", "Approve the extension"),
    ("clock.refuse", "不批准延期", "Refuse the extension"),
    (
        "clock.pending",
        "延期申请待县审批局批准。",
        "The extension waits for the county bureau's approval.",
    ),
    ("clock.extension_request", "申请延期", "extension asked"),
    ("clock.extension_approve", "批准延期", "extension approved"),
    ("clock.extension_refuse", "不批准延期", "extension refused"),
    (
        "clock.transfer",
        "移交县级承办机构",
        "transferred to the county body",
    ),
    (
        "clock.calendar",
        "按正式放假安排重算期限",
        "recomputed on the official holiday arrangement",
    ),
    ("apply.title", "网上申请", "Apply online"),
    ("apply.kind", "申请人类型", "Applicant type"),
    (
        "apply.id",
        "身份证号或统一社会信用代码",
        "ID number or unified social credit code",
    ),
    ("apply.name", "姓名或单位名称", "Name or enterprise name"),
    ("apply.contact", "联系电话", "Telephone"),
    (
        "apply.files_hint",
        "每份材料上传一个 PDF、PNG 或 JPEG 文件，不超过 10 MB。",
        "One PDF, PNG or JPEG file per material, at most 10 MB.",
    ),
    ("apply.required", "必交", "required"),
    (
        "apply.commitment",
        "我选择告知承诺制：书面承诺符合条件，当场取得决定，接受事后核查；承诺不实将被撤销并记入信用记录",
        "I choose commitment approval: I commit in writing that the conditions are met, get the decision at once and accept a later check; a false commitment is revoked and recorded against my credit",
    ),
    ("task.confirmed", "承诺属实", "commitment true"),
    (
        "task.false",
        "承诺不实（撤销并记入信用）",
        "commitment false (revoke and flag)",
    ),
    ("task.close", "办结任务", "Close the task"),
    ("apply.submit", "提交申请", "Submit the application"),
    ("apply.received", "申请已提交", "Application received"),
    (
        "apply.keep_code",
        "请记下办件编号和查询码：查询码只显示这一次，凭二者即可查询进度、补正材料和评价。",
        "Write down the tracking number and the check code: the code is shown only this once, and with both you can follow the case, hand in materials and rate the service.",
    ),
    ("track.title", "办件查询", "Track a case"),
    ("track.supply", "补正材料", "Hand in the missing materials"),
    (
        "track.supplied",
        "材料已提交，办理时限恢复计算。",
        "Materials handed in; the clock runs again.",
    ),
    ("track.withdraw", "撤回申请", "Withdraw the application"),
    (
        "track.withdrawn",
        "申请已撤回。",
        "The application is withdrawn.",
    ),
    ("track.notices", "通知书和决定书", "Notices and decisions"),
    (
        "track.print_notice",
        "查看、打印或下载",
        "View, print or save",
    ),
    ("track.rate", "评价服务（好差评）", "Rate the service"),
    ("track.comment", "意见（可选）", "Comment (optional)"),
    ("track.rated", "感谢评价。", "Thank you for your rating."),
    ("guide.title", "办事指南", "Service guide"),
    (
        "guide.lead",
        "查找要办的事项，看需要哪些材料、多长时间，以及在离您最近的哪个窗口可以办理。",
        "Find the item you need, what to bring, how long it takes, and the nearest window where you can apply.",
    ),
    ("guide.search", "搜索", "Search"),
    ("guide.search_hint", "事项名称或编码", "item name or code"),
    ("guide.find", "查找", "Find"),
    ("guide.item", "事项", "Item"),
    (
        "guide.promised",
        "承诺时限（工作日）",
        "Promised (working days)",
    ),
    (
        "guide.statutory",
        "法定时限（工作日）",
        "Statutory (working days)",
    ),
    ("guide.online", "办理深度", "Online depth"),
    ("guide.tongban", "跨域通办", "Any-window handling"),
    ("guide.visits", "最多到现场次数", "On-site visits at most"),
    ("guide.fees", "收费", "Fees"),
    ("guide.commitment", "可告知承诺", "Commitment approval"),
    ("guide.version", "版本", "Version"),
    ("guide.materials", "申请材料", "Materials"),
    (
        "guide.no_materials",
        "尚未登记申请材料。",
        "No materials recorded yet.",
    ),
    ("guide.not_recorded", "未登记", "not recorded"),
    ("guide.working_days", "个工作日", "working days"),
    ("guide.where", "在哪里办", "Where can I do this?"),
    ("guide.my_town", "我所在的乡镇（街道）", "My town"),
    ("guide.competent", "负责办理", "Decided by"),
    ("guide.by_document", "依据", "under"),
    ("guide.distance", "距离", "Distance"),
    ("guide.decides", "负责办理", "decides"),
    ("guide.any_window", "通办窗口", "any-window"),
    (
        "guide.no_window",
        "该事项由乡镇或部门直接行使，无需到窗口申请。",
        "This power is exercised by the town or department; there is no window to apply at.",
    ),
    ("catalog.title", "事项目录（实施清单）", "Item catalog"),
    ("catalog.new", "新建事项", "New item"),
    (
        "catalog.new_hint",
        "先建立事项和第一版草稿，然后在事项页面填写其余要素并发布。",
        "Create the item with a first draft, then complete and publish it on the item's page.",
    ),
    ("catalog.import", "导入清单", "Import a list"),
    ("catalog.export", "导出 Excel", "Export to Excel"),
    ("catalog.type", "事项类型", "Type"),
    ("catalog.department", "实施主体", "Department"),
    ("catalog.service", "服务类别", "Service kind"),
    ("catalog.delegated_to", "下放至", "Delegated to"),
    ("catalog.date", "日期", "Date"),
    ("catalog.impl_code", "实施编码", "Implementation code"),
    ("catalog.base_code", "基本编码", "Base code"),
    ("catalog.main_item", "主项", "Main item"),
    ("catalog.legal_setting", "设定依据", "Legal basis (setting)"),
    (
        "catalog.legal_implementing",
        "实施依据",
        "Legal basis (implementing)",
    ),
    ("catalog.licence", "颁发证照", "Licence issued"),
    ("catalog.licence_term", "有效期（年）", "valid for (years)"),
    (
        "catalog.licence_years",
        "证照有效期（年，长期有效留空）",
        "Licence term (years; empty for none)",
    ),
    ("catalog.exercise_level", "行使层级", "Exercise level"),
    ("catalog.category", "执法类别", "Enforcement category"),
    ("catalog.requirement", "必要性", "Requirement"),
    ("catalog.form", "形式", "Form"),
    ("catalog.copies", "份数", "Copies"),
    ("catalog.note", "备注", "Note"),
    ("catalog.versions", "版本", "Versions"),
    ("catalog.status", "状态", "Status"),
    ("catalog.valid_from", "生效日期", "In force from"),
    (
        "catalog.valid_to",
        "失效日期（可空）",
        "In force until (optional)",
    ),
    ("catalog.in_force_until", "有效至", "In force until"),
    ("catalog.published_at", "发布时间", "Published"),
    ("catalog.draft", "草稿", "draft"),
    ("catalog.published", "已发布", "published"),
    ("catalog.current", "现行", "current"),
    ("catalog.diff", "对比", "Compare"),
    ("catalog.edit_draft", "编辑草稿", "Edit the draft"),
    ("catalog.save_draft", "保存草稿", "Save draft"),
    ("catalog.publish", "发布", "Publish"),
    (
        "catalog.publish_hint",
        "已发布的版本不能再修改；新版本的生效日期须晚于已发布版本的生效日期。",
        "A published version never changes; a new version must come into force after the published ones.",
    ),
    (
        "catalog.new_draft",
        "以最新版本为基础新建草稿",
        "Start a draft from the latest version",
    ),
    (
        "catalog.no_changes",
        "两个版本内容相同。",
        "The two versions say the same.",
    ),
    ("catalog.field", "要素", "Field"),
    ("catalog.before", "修改前", "Before"),
    ("catalog.after", "修改后", "After"),
    ("batch.new", "新建赋权批次", "New delegation batch"),
    ("batch.doc_number", "文号", "Document number"),
    ("batch.doc_date", "发文日期", "Document date"),
    ("batch.title", "标题", "Title"),
    ("batch.kind", "赋权方式", "Kind"),
    (
        "batch.granting_department",
        "下放部门代码",
        "Granting department (code)",
    ),
    ("batch.legal_basis", "依据", "Legal basis"),
    (
        "batch.open_cases",
        "授权终止时的在办件",
        "Open cases when a power ends",
    ),
    ("batch.delegations", "赋权事项", "Delegations"),
    ("batch.add", "下放事项", "Hand items down"),
    (
        "batch.items",
        "事项实施编码（每行一个）",
        "Item implementation codes (one a line)",
    ),
    (
        "batch.recipients",
        "承接机构或乡镇代码",
        "Receiving offices or towns (codes)",
    ),
    (
        "batch.recipients_hint",
        "审批和便民事项交给分局或便民服务中心，执法事项赋权给乡镇。例如：",
        "Approval and convenience items go to branches or centres, enforcement powers to towns. For example:",
    ),
    ("batch.delegate", "下放", "Hand down"),
    ("batch.recipient", "承接方", "Recipient"),
    ("batch.changes", "变更记录", "Changes"),
    ("batch.reason", "原因", "reason"),
    (
        "matrix.lead",
        "每个事项在每个乡镇由谁办理：分局（B01…）、便民服务中心、乡镇、县级大厅或县直部门。",
        "Who handles each item in each town: a branch (B01…), the town centre, the town itself, the county hall or a county department.",
    ),
    ("matrix.hall", "县", "county"),
    ("matrix.town", "镇", "town"),
    ("matrix.centre", "中心", "centre"),
    ("matrix.department", "部门", "dept"),
    (
        "import.lead",
        "上传 .xlsx 或 UTF-8 编码的 .csv：已公布的实施清单格式，或本系统模板。任何一行有问题，整份文件都不导入，并列出全部问题。",
        "Upload an .xlsx or a UTF-8 .csv, in a published list's layout or our template. If any row has a problem, nothing is imported and every problem is listed.",
    ),
    ("import.template", "下载模板", "Download the template"),
    ("import.file", "文件", "File"),
    ("nav.calendar", "节假日日历", "Holiday calendar"),
    ("calendar.title", "节假日日历", "Holiday calendar"),
    (
        "calendar.lead",
        "办理期限按国务院公布的放假安排计算工作日。尚未公布安排的年份按《全国年节及纪念日放假办法》的法定节假日暂定计算（不含调休），据此算出的到期日标为“暂定”；导入正式安排后，在办件的期限自动重算并记入办件记录。",
        "Time limits count working days on the State Council's published arrangement. A year whose arrangement is not yet published is counted on the statutory holidays alone (no bridges or make-up days), and dates computed on it are marked provisional; importing the official arrangement recomputes open cases' due dates and records each change in the case's history.",
    ),
    ("calendar.year", "年份", "Year"),
    ("calendar.status", "状态", "Status"),
    ("calendar.official", "正式", "official"),
    ("calendar.provisional", "暂定", "provisional"),
    ("calendar.off", "工作日放假天数", "Weekdays off"),
    ("calendar.adjusted", "调休上班天数", "Make-up working days"),
    (
        "calendar.derived",
        "暂定所依据的法定节假日",
        "Statutory days a provisional year is counted on",
    ),
    (
        "calendar.upload",
        "导入正式放假安排",
        "Import an official arrangement",
    ),
    (
        "calendar.upload_lead",
        "CSV 文件，表头为 date,name,is_off_day（与 data/cn_holidays.csv 相同）。已有正式安排的年份，更正时须填写理由。",
        "A CSV file with the header date,name,is_off_day (as data/cn_holidays.csv). Correcting a year that is already official needs a reason.",
    ),
    (
        "calendar.reason",
        "更正理由（仅更正已公布年份时填写）",
        "Reason for a correction (only for a year already official)",
    ),
    ("calendar.import", "导入", "Import"),
    ("calendar.imported", "已导入", "Imported"),
    ("calendar.changed", "更正", "changed"),
    ("calendar.recomputed", "重算在办件", "open cases recomputed"),
    ("calendar.statutory", "法定到期日", "Statutory due date"),
    ("calendar.promised", "承诺到期日", "Promised due date"),
    ("case.provisional", "暂定", "provisional"),
    (
        "case.provisional_note",
        "该年度放假安排尚未公布，到期日按法定节假日暂定，公布后可能变动几天。",
        "That year's holiday arrangement is not yet published: the due date is provisional and may move by a few days.",
    ),
    ("import.row", "行", "Row"),
    ("import.column", "列", "Column"),
    ("import.problem", "问题（中文）", "Problem (Chinese)"),
    ("import.problem_en", "问题（英文）", "Problem (English)"),
    ("import.done", "已导入", "Imported"),
    ("import.created", "新增", "created"),
    ("import.unchanged", "未变", "unchanged"),
    ("import.drafted", "生成待审草稿", "drafted for review"),
    ("nav.plan", "网点规划", "Planning"),
    ("plan.title", "审批网点规划", "Planning approval branches"),
    (
        "plan.lead",
        "距县级大厅超过半径的乡镇由分局服务；规划给出最少的分局及其证明，并与只有县级大厅、现有分局两种情况对比。",
        "Towns beyond the radius of their county hall are to be served by branches. The planner proposes the fewest branches, with proof, and compares halls alone, today's branches and the proposal.",
    ),
    ("plan.radius", "半径（公里）", "Radius (km)"),
    ("plan.min", "每个分局最少乡镇数", "Fewest towns per branch"),
    ("plan.max", "最多乡镇数", "Most towns per branch"),
    ("plan.keep", "保留现有分局", "Keep today's branches"),
    (
        "plan.cases",
        "每个乡镇每年办件量",
        "Cases per town per year",
    ),
    (
        "plan.capacity_hint",
        "上下限都留空表示不限每个分局服务的乡镇数。办件量默认按改革以来约 8.7 万件、135 个乡镇估算，用于计算节省的里程。",
        "Leave both limits empty for no limit on towns per branch. The default case volume is estimated from the reform's roughly 87,000 cases over 135 towns; it weighs the km saved.",
    ),
    ("plan.run", "规划", "Plan"),
    ("plan.answers", "结论", "Answers"),
    ("plan.branches", "分局", "Branches"),
    ("plan.branch", "分局", "branch"),
    ("plan.mean", "平均距离", "Mean distance"),
    ("plan.max_km", "最远距离", "Farthest"),
    (
        "plan.saved",
        "每年节省往返里程",
        "Round-trip km saved a year",
    ),
    ("plan.halls", "仅县级大厅", "County halls only"),
    ("plan.today", "现有分局", "Today's branches"),
    ("plan.proposal", "规划方案", "Proposal"),
    ("plan.proof", "方案分局数", "Branches proposed"),
    ("plan.bound", "下界", "lower bound"),
    ("plan.proven", "已证明最优", "proven optimal"),
    ("plan.unproven", "未证明最优", "not proven optimal"),
    ("plan.by_county", "各县情况", "By county"),
    ("plan.far", "超出半径的乡镇", "Towns beyond the radius"),
    ("plan.cover", "覆盖所需分局", "Branches for full coverage"),
    ("plan.note", "说明", "Note"),
    ("plan.site", "分局驻地", "Branch seat"),
    ("plan.kept", "现有", "existing"),
    (
        "about.title",
        "关于本系统与数据来源",
        "About and data sources",
    ),
    (
        "about.body",
        "同权用于推进县镇同权改革：审批事项下放乡镇、执法力量下沉、成效量化评估。本系统离线运行，所有页面、样式与地图均内置，不访问互联网。",
        "tongquan runs the county-town equal powers reform: approval items delegated to towns, enforcement dispatched to towns, results measured. It runs offline: every page, style and map ships inside the program.",
    ),
    (
        "about.sources",
        "数据来源与署名",
        "Data sources and attribution",
    ),
    ("login.title", "工作人员登录", "Staff sign-in"),
    ("login.username", "用户名", "Username"),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Sign in"),
    ("password.current", "当前密码", "Current password"),
    (
        "password.new",
        "新密码（至少 10 个字符）",
        "New password (at least 10 characters)",
    ),
    (
        "password.changed",
        "密码已修改，请重新登录。",
        "Password changed; please sign in again.",
    ),
    ("account.username", "用户名", "Username"),
    ("account.display_name", "姓名或单位", "Name"),
    ("account.role", "角色", "Role"),
    ("account.jurisdiction", "辖区", "Jurisdiction"),
    (
        "account.jurisdiction_hint",
        "city，或县（6 位）、乡镇（9 位）、办事机构（如 371481B01）、部门（如 371402SJ）代码",
        "city, or a county (6 digits), town (9 digits), office (e.g. 371481B01) or department (e.g. 371402SJ) code",
    ),
    ("account.disabled", "已停用", "Disabled"),
    ("account.created_at", "创建时间", "Created"),
    ("account.new", "新建账号", "New account"),
    (
        "account.initial_password",
        "初始密码（至少 10 个字符）",
        "Initial password (at least 10 characters)",
    ),
    ("account.create", "创建", "Create"),
    ("account.tokens", "API 令牌", "API tokens"),
    ("account.token_name", "令牌用途", "Token purpose"),
    ("account.token_issue", "签发令牌", "Issue token"),
    (
        "account.token_once",
        "请立即复制此令牌，它只显示这一次：",
        "Copy this token now; it is shown only once:",
    ),
    ("audit.title", "审计记录", "Audit trail"),
    ("audit.seq", "序号", "No."),
    ("audit.at", "时间", "Time"),
    ("audit.actor", "操作者", "Actor"),
    ("audit.action", "操作", "Action"),
    ("audit.resource", "对象", "Resource"),
    ("audit.detail", "变更", "Change"),
    ("audit.hash", "哈希", "Hash"),
    (
        "audit.chain_note",
        "每条记录包含上一条记录的哈希，任何修改、删除或调换都能被 tongquan audit verify 发现。",
        "Each entry includes the previous entry's hash; tongquan audit verify detects any edit, deletion or reordering.",
    ),
    (
        "audit.action_hint",
        "操作名，或以点结尾的前缀，如 auth.",
        "action, or a prefix ending in a dot, e.g. auth.",
    ),
    (
        "footer.credit",
        "地理数据：Vonng/adcode（CC BY 4.0）、modood/Administrative-divisions-of-China（WTFPL）等，详见“关于”。",
        "Geographic data: Vonng/adcode (CC BY 4.0), modood/Administrative-divisions-of-China (WTFPL) and others; see About.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `t("key")` in a template has both texts here.
    #[test]
    fn every_template_key_has_text() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut missing = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for part in text.split("t(\"").skip(1) {
                let key = part.split('"').next().unwrap();
                if !has_key(key) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
        assert!(missing.is_empty(), "missing texts: {missing:#?}");
    }

    #[test]
    fn keys_are_unique_and_both_languages_are_filled() {
        assert_eq!(TABLE.len(), TEXTS.len(), "a key appears twice");
        for (k, zh, en) in TEXTS {
            assert!(!zh.is_empty() && !en.is_empty(), "{k}");
        }
    }
}
