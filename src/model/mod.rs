//! The domain model: the assessment an AMHP records, the vocabulary it is written in, and the
//! fixed scales (domain, balance, urgency, 5 Ps) a formulation is expressed in. Pure data and
//! checks; no file or terminal access.

pub mod assessment;
pub mod choices;
pub mod codes;
pub mod mha;
pub mod sharing;
pub mod terms;
pub mod vocabulary;

pub use assessment::{Assessment, Capacity, Context, Factor, Person, Strength};
pub use choices::{Choices, Decision, ReferralChoice};
pub use codes::Codes;
pub use mha::MhaDecision;
pub use sharing::Share;
pub use terms::{
    Balance, CapacityStatus, Domain, FiveP, Gender, MhaOutcome, ReferralUrgency, SelfCare, Trend,
    Urgency,
};
pub use vocabulary::{CategoryInfo, KindInfo, Section, Vocabulary};
