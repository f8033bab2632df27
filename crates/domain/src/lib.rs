//! Pure rules and types of tongquan. Nothing here does I/O: the store and the web layer translate.

#[macro_use]
mod macros {
    /// Declares a closed set of kinds with a stable slug (API, database) and labels in both languages.
    macro_rules! kinds {
        ($(#[$meta:meta])* $name:ident, $what_zh:literal, $what_en:literal {
            $($variant:ident = $slug:literal, $zh:literal, $en:literal;)+
        }) => {
            $(#[$meta])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
            pub enum $name { $($variant),+ }

            impl $name {
                pub const ALL: &'static [$name] = &[$($name::$variant),+];

                pub fn slug(self) -> &'static str {
                    match self { $($name::$variant => $slug),+ }
                }

                pub fn label(self) -> $crate::Message {
                    match self { $($name::$variant => $crate::Message::new($zh, $en)),+ }
                }

                pub fn zh(self) -> &'static str {
                    match self { $($name::$variant => $zh),+ }
                }

                pub fn en(self) -> &'static str {
                    match self { $($name::$variant => $en),+ }
                }

                /// Parses the slug, as stored and as sent by clients.
                pub fn parse(field: &str, value: &str) -> Result<Self, $crate::DomainError> {
                    match value {
                        $($slug => Ok($name::$variant),)+
                        _ => Err($crate::DomainError::invalid(
                            field,
                            format!("未知的{}“{}”，可选：{}", $what_zh, value, [$($slug),+].join("、")),
                            format!("unknown {} {:?}; one of: {}", $what_en, value, [$($slug),+].join(", ")),
                        )),
                    }
                }
            }

            impl $crate::Kind for $name {
                fn all() -> &'static [Self] {
                    Self::ALL
                }

                fn slug(self) -> &'static str {
                    $name::slug(self)
                }

                fn label(self) -> $crate::Message {
                    $name::label(self)
                }
            }

            impl serde::Serialize for $name {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    s.serialize_str(self.slug())
                }
            }
        };
    }
}

pub mod access;
pub mod applicant;
pub mod audit;
pub mod bundle;
pub mod calendar;
pub mod case;
pub mod catalog;
pub mod clock;
pub mod codes;
pub mod enforcement;
pub mod error;
pub mod geo;
pub mod holidays;
pub mod limits;
pub mod org;
pub mod text;
pub mod upload;

pub use error::{DomainError, Message};

/// A closed set of kinds (of towns, offices, departments, roles…) with stable slugs and labels.
pub trait Kind: Copy + 'static {
    fn all() -> &'static [Self];
    fn slug(self) -> &'static str;
    fn label(self) -> Message;
}
