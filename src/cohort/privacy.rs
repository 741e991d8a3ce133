//! Small-count suppression for published figures (DESIGN §7): a count below 5 is shown as
//! "<5", so that nobody in a small group can be picked out.
//!
//! Suppressing a cell is not enough when the cells of a row add up to a total that is shown: with
//! one cell hidden, subtraction gives it back. So when exactly one part of a shown total is
//! suppressed, the smallest other part is withheld too, and shown as "[c]" (the convention of UK
//! official statistics for a value withheld to protect confidentiality). Likewise a count shown
//! beside its total (people with a stressor, of everyone assessed) is withheld when the rest is a
//! small count, and the parts of a withheld total never all show. Zero is a count below 5 and is
//! suppressed like any other, so a table never tells that nobody in a group had a need.
//!
//! This protects each figure against subtraction within the report. It cannot protect against
//! comparing two reports (say, with overlapping dates): publish reports of fixed periods.

use serde::Serialize;

/// Counts below this are never published.
pub const THRESHOLD: usize = 5;

/// How a count is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Cell {
    /// The exact count.
    Exact(usize),
    /// Below the threshold: shown as "<5".
    Suppressed,
    /// At or above the threshold, but withheld so a suppressed cell cannot be worked out.
    Withheld,
}

impl Cell {
    /// The count as printed.
    pub fn text(self) -> String {
        match self {
            Cell::Exact(count) => count.to_string(),
            Cell::Suppressed => format!("<{THRESHOLD}"),
            Cell::Withheld => "[c]".to_owned(),
        }
    }

    /// The exact value when it may be shown (for bars and percentages).
    pub fn value(self) -> Option<usize> {
        match self {
            Cell::Exact(count) => Some(count),
            Cell::Suppressed | Cell::Withheld => None,
        }
    }
}

/// Whether figures are for publication (suppressed) or internal use (exact).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Audience {
    /// Exact counts, for the service's own staff on this machine.
    Internal,
    /// Counts below 5 suppressed, for board papers and anything that leaves the service.
    Published,
}

impl Audience {
    /// One count on its own.
    pub fn cell(self, count: usize) -> Cell {
        match self {
            Audience::Published if count < THRESHOLD => Cell::Suppressed,
            _ => Cell::Exact(count),
        }
    }

    /// A total and the parts that add up to it, with secondary suppression when needed.
    pub fn partition(self, total: usize, parts: &[usize]) -> (Cell, Vec<Cell>) {
        let total_cell = self.cell(total);
        (total_cell, self.split(total_cell, parts))
    }

    /// A part of a shown or hidden total, withheld when the rest of the total is a small count
    /// (else "N people of whom all but 2 …" gives the 2 away).
    pub fn share(self, part: usize, total: usize) -> Cell {
        self.partition(total, &[part, total.saturating_sub(part)]).1[0]
    }

    /// The parts of a total already shown as `total`: each suppressed below the threshold, and
    /// one more withheld when subtraction would otherwise give a hidden count back — a shown
    /// total with exactly one hidden part, or a hidden total whose parts are all shown.
    pub fn split(self, total: Cell, parts: &[usize]) -> Vec<Cell> {
        let mut cells: Vec<Cell> = parts.iter().map(|part| self.cell(*part)).collect();
        let hidden = cells.iter().filter(|cell| cell.value().is_none()).count();
        let needs_one_more = match total {
            Cell::Exact(_) => hidden == 1,
            Cell::Suppressed | Cell::Withheld => hidden == 0,
        };
        if needs_one_more {
            let smallest_shown = cells
                .iter()
                .enumerate()
                .filter_map(|(index, cell)| cell.value().map(|value| (value, index)))
                .min();
            if let Some((_, index)) = smallest_shown {
                cells[index] = Cell::Withheld;
            }
        }
        cells
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_below_five_are_suppressed_only_when_published() {
        for count in 0..THRESHOLD {
            assert_eq!(Audience::Published.cell(count).text(), "<5");
            assert_eq!(Audience::Internal.cell(count), Cell::Exact(count));
        }
        assert_eq!(Audience::Published.cell(5).text(), "5");
    }

    #[test]
    fn one_hidden_part_of_a_shown_total_hides_the_next_smallest() {
        let (total, cells) = Audience::Published.partition(31, &[20, 3, 8]);
        assert_eq!(total, Cell::Exact(31));
        assert_eq!(cells, [Cell::Exact(20), Cell::Suppressed, Cell::Withheld]);
    }

    #[test]
    fn two_hidden_parts_need_nothing_more() {
        let (_, cells) = Audience::Published.partition(24, &[20, 3, 1]);
        assert_eq!(cells, [Cell::Exact(20), Cell::Suppressed, Cell::Suppressed]);
    }

    #[test]
    fn a_hidden_total_protects_its_parts() {
        let (total, cells) = Audience::Published.partition(4, &[4, 0]);
        assert_eq!(total, Cell::Suppressed);
        assert_eq!(cells, [Cell::Suppressed, Cell::Suppressed]);
    }

    #[test]
    fn a_part_whose_rest_is_small_is_withheld() {
        assert_eq!(Audience::Published.share(40, 43), Cell::Withheld);
        assert_eq!(Audience::Published.share(3, 43), Cell::Suppressed);
        assert_eq!(Audience::Published.share(20, 43), Cell::Exact(20));
        assert_eq!(Audience::Internal.share(40, 43), Cell::Exact(40));
    }

    #[test]
    fn the_parts_of_a_hidden_total_do_not_add_up_to_it() {
        let cells = Audience::Published.split(Cell::Withheld, &[30, 9]);
        assert_eq!(cells, [Cell::Exact(30), Cell::Withheld]);
    }

    #[test]
    fn internal_figures_are_exact_even_in_partitions() {
        let (total, cells) = Audience::Internal.partition(23, &[20, 3]);
        assert_eq!(total, Cell::Exact(23));
        assert_eq!(cells, [Cell::Exact(20), Cell::Exact(3)]);
    }
}
