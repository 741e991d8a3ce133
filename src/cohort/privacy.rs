//! Small-count suppression for published figures (DESIGN §7): a count below 5 is shown as
//! "<5", so that nobody in a small group can be picked out.
//!
//! Suppressing a cell is not enough when the cells of a row add up to a total that is shown: with
//! one cell hidden, subtraction gives it back. So when exactly one part of a shown total is
//! suppressed, the smallest other part is withheld too, and shown as "[c]" (the convention of UK
//! official statistics for a value withheld to protect confidentiality). Zero is a count below 5
//! and is suppressed like any other, so a table never tells that nobody in a group had a need.

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
        let mut cells: Vec<Cell> = parts.iter().map(|part| self.cell(*part)).collect();
        let suppressed = cells
            .iter()
            .filter(|cell| **cell == Cell::Suppressed)
            .count();
        if suppressed == 1 && total_cell != Cell::Suppressed {
            let smallest_shown = cells
                .iter()
                .enumerate()
                .filter_map(|(index, cell)| cell.value().map(|value| (value, index)))
                .min();
            if let Some((_, index)) = smallest_shown {
                cells[index] = Cell::Withheld;
            }
        }
        (total_cell, cells)
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
    fn internal_figures_are_exact_even_in_partitions() {
        let (total, cells) = Audience::Internal.partition(23, &[20, 3]);
        assert_eq!(total, Cell::Exact(23));
        assert_eq!(cells, [Cell::Exact(20), Cell::Exact(3)]);
    }
}
