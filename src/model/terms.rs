//! The fixed scales a formulation is expressed in: domains, balance, urgency (the UK Mental
//! Health Triage Scale), referral urgency and the 5 Ps. Unlike the vocabulary these are structure,
//! not content: the formulation logic depends on their order and meaning.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Declares a closed, ordered set of snake_case names with parsing and display.
macro_rules! named_scale {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The snake_case name used in files and scripts.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The valid names, for error messages.
            pub fn names() -> String {
                Self::ALL.iter().map(|value| value.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|value| value.as_str() == text)
                    .ok_or_else(|| format!("`{text}` is not one of {}", Self::names()))
            }
        }
    };
}

named_scale! {
    /// Which side of the formulation a factor weighs on.
    Domain {
        /// A social cause or pressure.
        Social = "social",
        /// A medical cause or risk.
        Medical = "medical",
        /// Something that keeps the person safe; lowers the urgency score.
        Protective = "protective",
    }
}

named_scale! {
    /// Whether the crisis is led by social or by medical factors.
    Balance {
        /// Social factors clearly outweigh medical ones.
        SocialLed = "social_led",
        /// Neither side clearly leads.
        Mixed = "mixed",
        /// Medical factors clearly outweigh social ones.
        MedicalLed = "medical_led",
    }
}

named_scale! {
    /// Urgency on the UK Mental Health Triage Scale (Sands, Elsom & Colgate, 2015), least urgent
    /// first so that `Ord` means "more urgent".
    Urgency {
        /// F: referral or advice, no urgent mental-health response.
        Routine = "routine",
        /// E: within 4 weeks.
        Low = "low",
        /// D: within 72 hours.
        Moderate = "moderate",
        /// C: within 24 hours.
        High = "high",
        /// B: face-to-face within 4 hours.
        VeryHigh = "very_high",
        /// A: immediate, emergency services.
        Emergency = "emergency",
    }
}

impl Urgency {
    /// The triage scale's letter code.
    pub fn triage_code(self) -> char {
        match self {
            Urgency::Emergency => 'A',
            Urgency::VeryHigh => 'B',
            Urgency::High => 'C',
            Urgency::Moderate => 'D',
            Urgency::Low => 'E',
            Urgency::Routine => 'F',
        }
    }

    /// The response the triage scale expects at this level.
    pub fn response_time(self) -> &'static str {
        match self {
            Urgency::Emergency => "immediate: emergency services",
            Urgency::VeryHigh => "face-to-face within 4 hours",
            Urgency::High => "within 24 hours",
            Urgency::Moderate => "within 72 hours",
            Urgency::Low => "within 4 weeks",
            Urgency::Routine => "referral or advice, no urgent mental-health response",
        }
    }

    /// Human wording, so that colour is never the only signal.
    pub fn label(self) -> &'static str {
        match self {
            Urgency::Emergency => "Emergency",
            Urgency::VeryHigh => "Very high",
            Urgency::High => "High",
            Urgency::Moderate => "Moderate",
            Urgency::Low => "Low",
            Urgency::Routine => "Routine",
        }
    }
}

named_scale! {
    /// How soon a partner should act on a referral, most urgent first.
    ReferralUrgency {
        /// Now, while the assessor is with the person.
        Immediate = "immediate",
        /// Today.
        SameDay = "same_day",
        /// Within three days.
        WithinThreeDays = "within_3_days",
        /// Within two weeks.
        WithinTwoWeeks = "within_2_weeks",
        /// When the partner next can.
        Routine = "routine",
    }
}

impl ReferralUrgency {
    /// Plain words for a person reading their plan.
    pub fn plain(self) -> &'static str {
        match self {
            ReferralUrgency::Immediate => "straight away",
            ReferralUrgency::SameDay => "today",
            ReferralUrgency::WithinThreeDays => "within 3 days",
            ReferralUrgency::WithinTwoWeeks => "within 2 weeks",
            ReferralUrgency::Routine => "in the next few weeks",
        }
    }
}

named_scale! {
    /// Which way a medical factor is moving, as the assessor sees it (the triage scale asks about
    /// "rapidly increasing symptoms"). Absent on a factor means not known.
    Trend {
        /// Getting worse, over days or weeks.
        Rising = "rising",
        /// Much as it has been.
        Stable = "stable",
        /// Getting better.
        Easing = "easing",
    }
}

named_scale! {
    /// Whether the person can care for themselves (the triage scale's "vulnerable and unable to
    /// care for self"). Absent means not known.
    SelfCare {
        /// Looks after themselves.
        Able = "able",
        /// Manages only with help, or is struggling.
        NeedsHelp = "needs_help",
        /// Cannot care for themselves now (not eating, drinking, washing or keeping safe).
        Unable = "unable",
    }
}

named_scale! {
    /// The person's gender, recorded only so that single-gender services (a women's refuge) can be
    /// offered or ruled out. Absent means not known, which is never read as any of these.
    Gender {
        /// A woman.
        Woman = "woman",
        /// A man.
        Man = "man",
        /// Non-binary.
        NonBinary = "non_binary",
        /// Another gender, in the person's words elsewhere.
        Other = "other",
    }
}

impl Gender {
    /// Human wording.
    pub fn label(self) -> &'static str {
        match self {
            Gender::Woman => "Woman",
            Gender::Man => "Man",
            Gender::NonBinary => "Non-binary",
            Gender::Other => "Another gender",
        }
    }
}

impl SelfCare {
    /// Human wording.
    pub fn label(self) -> &'static str {
        match self {
            SelfCare::Able => "Able to care for self",
            SelfCare::NeedsHelp => "Needs help to care for self",
            SelfCare::Unable => "Unable to care for self",
        }
    }
}

named_scale! {
    /// What the assessment decided under the Mental Health Act 1983: the outcome the service's
    /// figures count. Recorded alongside the formulation, never read by it.
    MhaOutcome {
        /// Not detained; support in the community.
        NoDetention = "no_detention",
        /// Admitted to hospital as an informal (voluntary) patient.
        InformalAdmission = "informal_admission",
        /// Detained for assessment (section 2).
        Section2 = "section_2",
        /// Detained for treatment (section 3).
        Section3 = "section_3",
        /// A section 136 ended without detention or admission.
        Section136Ended = "section_136_ended",
        /// Something else, said in the note.
        Other = "other",
    }
}

impl MhaOutcome {
    /// Human wording.
    pub fn label(self) -> &'static str {
        match self {
            MhaOutcome::NoDetention => "No detention",
            MhaOutcome::InformalAdmission => "Informal admission",
            MhaOutcome::Section2 => "Detained: section 2",
            MhaOutcome::Section3 => "Detained: section 3",
            MhaOutcome::Section136Ended => "s136 ended, not detained",
            MhaOutcome::Other => "Other (say in the note)",
        }
    }

    /// Whether the outcome admits the person to hospital: `Some(false)` is an admission
    /// avoided, `None` (other) is not known and counted as neither.
    pub fn admits(self) -> Option<bool> {
        match self {
            MhaOutcome::InformalAdmission | MhaOutcome::Section2 | MhaOutcome::Section3 => {
                Some(true)
            }
            MhaOutcome::NoDetention | MhaOutcome::Section136Ended => Some(false),
            MhaOutcome::Other => None,
        }
    }
}

named_scale! {
    /// Mental capacity for the decision at hand (Mental Capacity Act 2005). `NotAssessed` is an
    /// answer in its own right; an absent capacity block means nothing was recorded.
    CapacityStatus {
        /// Has capacity for the decision.
        Has = "has",
        /// Lacks capacity for the decision.
        Lacks = "lacks",
        /// Capacity was not assessed.
        NotAssessed = "not_assessed",
    }
}

impl CapacityStatus {
    /// Human wording.
    pub fn label(self) -> &'static str {
        match self {
            CapacityStatus::Has => "Has capacity",
            CapacityStatus::Lacks => "Lacks capacity",
            CapacityStatus::NotAssessed => "Capacity not assessed",
        }
    }
}

named_scale! {
    /// The 5 Ps of a case formulation.
    FiveP {
        /// What the crisis looks like now.
        Presenting = "presenting",
        /// What made the person vulnerable.
        Predisposing = "predisposing",
        /// What set the crisis off.
        Precipitating = "precipitating",
        /// What keeps it going.
        Perpetuating = "perpetuating",
        /// What keeps the person safe.
        Protective = "protective",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urgency_orders_from_routine_to_emergency() {
        assert!(Urgency::Emergency > Urgency::VeryHigh);
        assert!(Urgency::Low > Urgency::Routine);
        assert_eq!("very_high".parse::<Urgency>(), Ok(Urgency::VeryHigh));
        assert_eq!(Urgency::High.triage_code(), 'C');
    }

    #[test]
    fn unknown_names_list_the_valid_ones() {
        let error = "urgent".parse::<ReferralUrgency>().unwrap_err();
        assert_eq!(
            error,
            "`urgent` is not one of immediate, same_day, within_3_days, within_2_weeks, routine"
        );
    }
}
