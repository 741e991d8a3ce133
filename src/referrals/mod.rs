//! Referrals: from the categories of help the rules ask for to a practical plan the person has a
//! say in. [`partners`] is the partner directory (`rules/partners.yaml`); [`resolve`] picks one
//! partner per need, deduplicates, names a lead coordinator and shows gaps; [`choices`] reads the
//! person's decisions about the plan; [`next_steps`] turns plan and decisions into a plain-language
//! to-do list for the person; [`oruk`] reads and writes the directory as Open Referral UK services.
//!
//! Everything here is pure. Rules never name partners, only categories, so a service lead changes
//! who is offered by editing `partners.yaml` alone.

pub mod choices;
pub mod next_steps;
pub mod oruk;
pub mod partners;
pub mod resolve;

pub use choices::parse_choices;
pub use next_steps::next_steps;
pub use partners::{Admission, Directory, Eligibility, Partner, PersonFacts, Route, Situational};
pub use resolve::{
    resolve, CaseHolder, ChoiceBasis, ClinicalBasis, Gap, GapKind, LeadCoordinator, LeadPolicy,
    Need, NeedReason, NotChosen, Referral, ReferralPlan, ReferralReason, RiskToHold, Situation,
    TIE_BROKEN_BY_ID,
};
