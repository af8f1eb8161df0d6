//! Bounded work per query: limits a service enforces before searching, a
//! budget (deadline and cancellation) checked while searching, and the work
//! done.
//!
//! The search itself is linear in the length of its input whatever the
//! limits (the edit-distance work per token pair is bounded, long words get
//! no split keys), so the limits are about what a screening service should
//! accept, not about keeping the matcher alive. The defaults are well above
//! any real name: the longest name of the bundled UN and OFAC lists has 324
//! characters and 52 words (an OFAC alias that strings several names
//! together), the longest word 24 letters, and no entry has more than about
//! 30 names.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::{MatchResult, Query};

/// What a query may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Characters per name (default 1,000).
    pub max_name_chars: usize,
    /// Names per query: `name`, `alias`, `previousName`, `weakAlias` values
    /// and the one built from `firstName`/`middleName`/`lastName` (default 50).
    pub max_names: usize,
    /// Words per name (default 64).
    pub max_tokens_per_name: usize,
}

impl Limits {
    pub const DEFAULT: Limits = Limits {
        max_name_chars: 1_000,
        max_names: 50,
        max_tokens_per_name: 64,
    };

    /// Check a query against the limits; the error names the limit and the
    /// value found. Counting stops at the first name over a limit, so even a
    /// huge query is refused in time linear in what was read.
    pub fn validate(&self, q: &Query) -> Result<(), LimitError> {
        let names = q.all_names();
        if names.len() > self.max_names {
            return Err(LimitError::TooManyNames {
                count: names.len(),
                max: self.max_names,
            });
        }
        for (index, name) in names.iter().enumerate() {
            let chars = name.chars().count();
            if chars > self.max_name_chars {
                return Err(LimitError::NameTooLong {
                    index,
                    chars,
                    max: self.max_name_chars,
                });
            }
            let words = crate::text::words(name).len();
            if words > self.max_tokens_per_name {
                return Err(LimitError::TooManyTokens {
                    index,
                    words,
                    max: self.max_tokens_per_name,
                });
            }
        }
        Ok(())
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// A query over one of the [`Limits`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error("name {index} has {chars} characters; the limit (max_name_chars) is {max}")]
    NameTooLong {
        index: usize,
        chars: usize,
        max: usize,
    },
    #[error("the query has {count} names; the limit (max_names) is {max}")]
    TooManyNames { count: usize, max: usize },
    #[error("name {index} has {words} words; the limit (max_tokens_per_name) is {max}")]
    TooManyTokens {
        index: usize,
        words: usize,
        max: usize,
    },
}

impl LimitError {
    /// The limit's name, as in [`Limits`].
    pub fn limit(&self) -> &'static str {
        match self {
            LimitError::NameTooLong { .. } => "max_name_chars",
            LimitError::TooManyNames { .. } => "max_names",
            LimitError::TooManyTokens { .. } => "max_tokens_per_name",
        }
    }

    /// The limit's value.
    pub fn max(&self) -> usize {
        match self {
            LimitError::NameTooLong { max, .. }
            | LimitError::TooManyNames { max, .. }
            | LimitError::TooManyTokens { max, .. } => *max,
        }
    }
}

/// When a search must stop: a deadline, a flag another thread sets (the
/// client went away), both or neither. Checked between candidates.
#[derive(Debug, Clone, Copy, Default)]
pub struct Budget<'a> {
    pub deadline: Option<Instant>,
    pub cancel: Option<&'a AtomicBool>,
}

impl Budget<'_> {
    /// `Err` once the search must stop.
    pub(crate) fn check(&self) -> Result<(), SearchError> {
        if let Some(flag) = self.cancel
            && flag.load(Ordering::Relaxed)
        {
            return Err(SearchError::Cancelled);
        }
        if let Some(d) = self.deadline
            && Instant::now() >= d
        {
            return Err(SearchError::DeadlineExceeded);
        }
        Ok(())
    }

    pub(crate) fn is_unbounded(&self) -> bool {
        self.deadline.is_none() && self.cancel.is_none()
    }
}

/// Why a bounded search gave no results.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    Limit(#[from] LimitError),
    #[error("the search passed its deadline")]
    DeadlineExceeded,
    #[error("the search was cancelled")]
    Cancelled,
}

/// Work done by one search (each grows at most linearly with the query).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Work {
    /// Query names analysed (with their variants).
    pub names: usize,
    /// Tokens of those names.
    pub tokens: usize,
    /// Distinct index keys looked up.
    pub keys: usize,
    /// Posting entries walked to gather candidates.
    pub postings: usize,
    /// List names scored exactly.
    pub names_scored: usize,
    /// Token (or syllable) pairs compared while scoring, explanations included.
    pub token_pairs: usize,
}

/// Results of a bounded search, with its work.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchOutcome {
    pub results: Vec<MatchResult>,
    pub work: Work,
}
