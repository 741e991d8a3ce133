//! Cohort figures for service leads (`sicol report`, issue 8): how many people were assessed, the
//! balance and urgency mix, the commonest stressors and combinations, referrals and what people
//! decided, gaps, and outcomes at follow-up — exact, and reproducible from the store.
//!
//! [`view`] reads the few facts needed from each record (the one place that knows the records'
//! JSON shapes), [`figures`] counts them, [`privacy`] hides small counts in published formats,
//! [`referral_loop`] counts the closed loop of referrals with partners, [`render`] and [`html`]
//! write the report, and [`demo`] makes a synthetic store to try it on.
//! All pure except [`demo::write`], which saves through the records store.

pub mod demo;
pub mod document;
pub mod figures;
pub mod html;
pub mod privacy;
pub mod referral_loop;
pub mod render;
pub mod stats;
pub mod view;

pub use figures::{CohortFigures, DateWindow};
pub use privacy::Audience;
pub use render::{ReportFormat, ReportOptions};
pub use view::Entry;

use crate::model::Vocabulary;

/// Writes the report of `figures` in `format`; `chart` adds bars to the text format.
pub fn report(
    figures: &CohortFigures,
    vocabulary: &Vocabulary,
    format: ReportFormat,
    options: &ReportOptions<'_>,
) -> String {
    if format == ReportFormat::Json {
        return render::to_json(figures, options.source);
    }
    let document = render::document(figures, vocabulary, format.audience(), options);
    match format {
        ReportFormat::Markdown => render::to_markdown(&document),
        ReportFormat::Html => html::to_html(&document),
        ReportFormat::Text | ReportFormat::Json => render::to_text(&document, options.chart),
    }
}

use std::ops::ControlFlow;

use rayon::prelude::*;

use crate::error::Result;
use crate::records::backend::{damaged, for_each_page_checked, ChainCheck};
use crate::records::{RecordId, RecordStore};

/// The views of a store's records, and the records that could not be read as one, with why.
pub type StoreEntries = (Vec<Entry>, Vec<(RecordId, String)>);

/// Every record of a store as a view, in chain order, and the records that are intact but could
/// not be read as an assessment or follow-up, with why. A damaged record (altered, not in the
/// form sicol writes) is an error: figures from a store in doubt would not be exact. Records
/// are read a page at a time and viewed on every core; only the small views are kept. The chain
/// is checked in the same pass: read `chain` before trusting the figures.
pub fn read_store(store: &mut dyn RecordStore, chain: &mut ChainCheck) -> Result<StoreEntries> {
    let mut entries = Vec::new();
    let mut unreadable = Vec::new();
    for_each_page_checked(store, chain, &mut |store, page| {
        let viewed: Vec<_> = page
            .into_par_iter()
            .map(|(id, record)| (id, record.map(|record| Entry::from_record(&record))))
            .collect();
        for (id, view) in viewed {
            match view {
                Ok(Ok(entry)) => entries.push(entry),
                Ok(Err(why)) => unreadable.push((id, why)),
                Err(error) => return Err(damaged(&store.locate(id), error)),
            }
        }
        Ok(ControlFlow::Continue(()))
    })?;
    Ok((entries, unreadable))
}
