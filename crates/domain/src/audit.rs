//! The tamper-evident audit trail: each entry's hash covers its content and the previous hash.

use sha2::{Digest, Sha256};

use crate::Message;

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub seq: i64,
    /// RFC 3339 UTC timestamp.
    pub at: String,
    pub actor: String,
    pub action: String,
    pub resource_kind: String,
    pub resource_id: String,
    pub county_code: Option<String>,
    pub town_code: Option<String>,
    pub office_code: Option<String>,
    pub department_code: Option<String>,
    /// JSON: a before/after summary of the change.
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    /// The hash this entry must carry, given its content and `prev_hash`.
    pub fn expected_hash(&self) -> String {
        let mut h = Sha256::new();
        // Length-prefixed fields, so that moving bytes between fields changes the hash.
        let mut field = |v: Option<&str>| match v {
            None => h.update([0u8]),
            Some(s) => {
                h.update([1u8]);
                h.update((s.len() as u64).to_le_bytes());
                h.update(s.as_bytes());
            }
        };
        let seq = self.seq.to_string();
        for v in [
            Some(self.prev_hash.as_str()),
            Some(&seq),
            Some(&self.at),
            Some(&self.actor),
            Some(&self.action),
            Some(&self.resource_kind),
            Some(&self.resource_id),
            self.county_code.as_deref(),
            self.town_code.as_deref(),
            self.office_code.as_deref(),
            self.department_code.as_deref(),
            Some(&self.detail),
        ] {
            field(v);
        }
        hex::encode(h.finalize())
    }

    /// Sets `prev_hash` and `hash` so that this entry follows `prev`.
    pub fn seal(mut self, prev_hash: &str) -> Self {
        self.prev_hash = prev_hash.to_owned();
        self.hash = self.expected_hash();
        self
    }
}

/// The first place where the trail stops being what was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("entry {seq}: content does not match its hash (edited)")]
    Edited { seq: i64 },
    #[error(
        "entry {seq}: does not follow the entry before it (an entry was deleted, inserted or reordered)"
    )]
    Unlinked { seq: i64 },
    #[error(
        "entry {found}: expected sequence number {expected} (an entry was deleted or reordered)"
    )]
    Gap { expected: i64, found: i64 },
    #[error(
        "the trail ends at entry {last} but the head records {head} (entries were removed from the end or the head was altered)"
    )]
    Truncated { last: i64, head: i64 },
}

impl ChainBreak {
    pub fn message(&self) -> Message {
        let zh = match self {
            Self::Edited { seq } => format!("第 {seq} 条：内容与其哈希不符（被修改）"),
            Self::Unlinked { seq } => {
                format!("第 {seq} 条：与前一条不衔接（有记录被删除、插入或调换）")
            }
            Self::Gap { expected, found } => {
                format!("第 {found} 条：序号应为 {expected}（有记录被删除或调换）")
            }
            Self::Truncated { last, head } => format!(
                "审计链止于第 {last} 条，但链头记录为第 {head} 条（末尾记录被删除或链头被改）"
            ),
        };
        Message::new(zh, self.to_string())
    }
}

/// Checks entries in sequence order, one at a time, so a long trail never has to fit in memory.
#[derive(Debug)]
pub struct ChainVerifier {
    next_seq: i64,
    prev_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            next_seq: 1,
            prev_hash: GENESIS.to_owned(),
        }
    }
}

impl ChainVerifier {
    pub fn push(&mut self, e: &AuditEntry) -> Result<(), ChainBreak> {
        if e.seq != self.next_seq {
            return Err(ChainBreak::Gap {
                expected: self.next_seq,
                found: e.seq,
            });
        }
        if e.expected_hash() != e.hash {
            return Err(ChainBreak::Edited { seq: e.seq });
        }
        if e.prev_hash != self.prev_hash {
            return Err(ChainBreak::Unlinked { seq: e.seq });
        }
        self.next_seq += 1;
        self.prev_hash.clone_from(&e.hash);
        Ok(())
    }

    /// Compares the end of the trail with the head the store keeps; returns the number of entries.
    pub fn finish(self, head_seq: i64, head_hash: &str) -> Result<i64, ChainBreak> {
        let last = self.next_seq - 1;
        if last != head_seq || self.prev_hash != head_hash {
            return Err(ChainBreak::Truncated {
                last,
                head: head_seq,
            });
        }
        Ok(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let e = AuditEntry {
                    seq,
                    at: format!("2026-11-25T09:00:{seq:02}Z"),
                    actor: "system:test".into(),
                    action: "office.update".into(),
                    resource_kind: "office".into(),
                    resource_id: format!("371402B{seq:02}"),
                    county_code: Some("371402".into()),
                    town_code: None,
                    office_code: Some(format!("371402B{seq:02}")),
                    department_code: None,
                    detail: format!(r#"{{"phone":["0534-1","0534-{seq}"]}}"#),
                    prev_hash: String::new(),
                    hash: String::new(),
                }
                .seal(&prev);
                prev.clone_from(&e.hash);
                e
            })
            .collect()
    }

    fn verify(entries: &[AuditEntry], head: (i64, &str)) -> Result<i64, ChainBreak> {
        let mut v = ChainVerifier::default();
        for e in entries {
            v.push(e)?;
        }
        v.finish(head.0, head.1)
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify(&c, (5, &c[4].hash)), Ok(5));
        assert_eq!(verify(&[], (0, GENESIS)), Ok(0));
    }

    #[test]
    fn edits_deletions_reorders_and_truncation_are_each_named() {
        let c = chain(5);
        let head = (5, c[4].hash.as_str());

        let mut edited = c.clone();
        edited[2].detail = r#"{"phone":["x","y"]}"#.into();
        assert_eq!(verify(&edited, head), Err(ChainBreak::Edited { seq: 3 }));

        let mut deleted = c.clone();
        deleted.remove(1);
        assert_eq!(
            verify(&deleted, head),
            Err(ChainBreak::Gap {
                expected: 2,
                found: 3
            })
        );

        // Swapping two entries' sequence numbers and re-sorting, as an UPDATE of seq would.
        let mut reordered = c.clone();
        reordered[1].seq = 3;
        reordered[2].seq = 2;
        reordered.sort_by_key(|e| e.seq);
        assert_eq!(verify(&reordered, head), Err(ChainBreak::Edited { seq: 2 }));

        // Deleting an entry and renumbering the rest, recomputing the renumbered hashes.
        let mut renumbered = c.clone();
        renumbered.remove(1);
        for e in &mut renumbered[1..] {
            e.seq -= 1;
            e.hash = e.expected_hash();
        }
        assert_eq!(
            verify(&renumbered, head),
            Err(ChainBreak::Unlinked { seq: 2 })
        );

        assert_eq!(
            verify(&c[..4], head),
            Err(ChainBreak::Truncated { last: 4, head: 5 })
        );
    }
}
