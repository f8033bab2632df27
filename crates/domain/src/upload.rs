//! Files citizens upload as materials. The type is read from the content, never from the name or
//! the browser's claim, and only document and image formats a window can print are taken: nothing
//! that a browser or an office PC would run.

use crate::DomainError;

/// The largest file taken for one material.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

kinds!(
    MediaType, "文件类型", "file type" {
        Pdf = "application/pdf", "PDF 文档", "PDF document";
        Png = "image/png", "PNG 图片", "PNG image";
        Jpeg = "image/jpeg", "JPEG 图片", "JPEG image";
    }
);

impl MediaType {
    /// The file name extensions this type goes by.
    fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Pdf => &["pdf"],
            Self::Png => &["png"],
            Self::Jpeg => &["jpg", "jpeg"],
        }
    }

    fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else {
            None
        }
    }
}

/// An uploaded file, checked: within the size limit, of an allowed type that its content proves,
/// under a name whose extension agrees.
#[derive(Debug, Clone)]
pub struct Upload {
    pub file_name: String,
    pub media_type: MediaType,
    pub bytes: Vec<u8>,
}

impl Upload {
    pub fn parse(field: &str, file_name: &str, bytes: Vec<u8>) -> Result<Self, DomainError> {
        if bytes.len() > MAX_UPLOAD_BYTES {
            return Err(DomainError::rule(
                "file_too_large",
                format!(
                    "文件“{file_name}”超过 {} MB 的上限",
                    MAX_UPLOAD_BYTES / 1024 / 1024
                ),
                format!(
                    "{file_name:?} is larger than the {} MB limit",
                    MAX_UPLOAD_BYTES / 1024 / 1024
                ),
            ));
        }
        if bytes.is_empty() {
            return Err(DomainError::invalid(
                field,
                format!("文件“{file_name}”是空的"),
                format!("{file_name:?} is empty"),
            ));
        }
        // Only the last path component: browsers on some systems send the whole path.
        let name = file_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default()
            .trim();
        let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
        let extension = name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        let forbidden = || {
            DomainError::rule(
                "file_type_forbidden",
                format!("文件“{name}”不是允许的类型（仅限 PDF、PNG、JPEG，且扩展名与内容一致）"),
                format!(
                    "{name:?} is not an allowed type (PDF, PNG or JPEG only, with a matching extension)"
                ),
            )
        };
        let media_type = MediaType::sniff(&bytes).ok_or_else(forbidden)?;
        if !media_type.extensions().contains(&extension.as_str()) {
            return Err(forbidden());
        }
        Ok(Self {
            file_name: name,
            media_type,
            bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_decides_the_type() {
        let pdf = b"%PDF-1.7\n...".to_vec();
        let u = Upload::parse("f", "C:\\Users\\张三\\申请书.PDF", pdf.clone()).unwrap();
        assert_eq!(
            (u.media_type, u.file_name.as_str()),
            (MediaType::Pdf, "申请书.PDF")
        );
        let png = b"\x89PNG\r\n\x1a\n0000".to_vec();
        assert_eq!(
            Upload::parse("f", "a.png", png.clone()).unwrap().media_type,
            MediaType::Png
        );
        // A PDF called .png, a script, an executable and HTML are all refused.
        for (name, bytes) in [
            ("a.png", pdf.clone()),
            ("a.pdf", b"<html><script>alert(1)</script>".to_vec()),
            ("a.exe", b"MZ\x90\x00".to_vec()),
            ("a.pdf", b"#!/bin/sh\nrm -rf /".to_vec()),
            ("noextension", png),
        ] {
            assert_eq!(
                Upload::parse("f", name, bytes).unwrap_err().code(),
                "file_type_forbidden",
                "{name}"
            );
        }
    }

    #[test]
    fn size_is_limited_and_empty_files_refused() {
        let mut big = b"%PDF-".to_vec();
        big.resize(MAX_UPLOAD_BYTES + 1, b' ');
        assert_eq!(
            Upload::parse("f", "a.pdf", big).unwrap_err().code(),
            "file_too_large"
        );
        let mut fits = b"%PDF-".to_vec();
        fits.resize(MAX_UPLOAD_BYTES, b' ');
        assert!(Upload::parse("f", "a.pdf", fits).is_ok());
        assert_eq!(
            Upload::parse("f", "a.pdf", Vec::new()).unwrap_err().code(),
            "invalid_field"
        );
    }
}
