//! Colours and emphasis. With `NO_COLOR` set everything is drawn in the terminal's own colours,
//! and meaning is carried by words, bold and reverse video, so colour is never the only signal.

use ratatui::style::{Color, Modifier, Style};

use crate::model::Urgency;

/// The styles the screens use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    color: bool,
}

impl Theme {
    /// A theme with colour, or without (`NO_COLOR`).
    pub fn new(color: bool) -> Self {
        Self { color }
    }

    /// The theme `NO_COLOR` asks for: colour unless it is set to anything non-empty.
    pub fn from_no_color(no_color: Option<&str>) -> Self {
        Self::new(no_color.is_none_or(str::is_empty))
    }

    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    /// Titles and labels of what has the cursor.
    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// The row or field with the cursor.
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// Secondary text: descriptions, rules, hints.
    pub fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    /// Something to fix.
    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    /// The incomplete-formulation banner: reversed and bold, so that it stands out without
    /// colour too (NO_COLOR).
    pub fn banner(self) -> Style {
        let style = Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD);
        if self.color {
            style.fg(Color::Red)
        } else {
            style
        }
    }

    /// Something done well (saved, accepted).
    pub fn good(self) -> Style {
        self.fg(Color::Green)
    }

    /// A key name in the help bar.
    pub fn key(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// Urgency: coloured by level, and always bold with its name and code beside it.
    pub fn urgency(self, urgency: Urgency) -> Style {
        let color = match urgency {
            Urgency::Emergency | Urgency::VeryHigh => Color::Red,
            Urgency::High => Color::LightRed,
            Urgency::Moderate => Color::Yellow,
            Urgency::Low | Urgency::Routine => Color::Green,
        };
        self.fg(color).add_modifier(Modifier::BOLD)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_means_no_colour_at_all() {
        let plain = Theme::from_no_color(Some("1"));
        assert_eq!(plain.urgency(Urgency::Emergency).fg, None);
        assert_eq!(plain.error().fg, None);
        assert!(plain
            .urgency(Urgency::Emergency)
            .add_modifier
            .contains(Modifier::BOLD));
        assert!(Theme::from_no_color(Some(""))
            .urgency(Urgency::Emergency)
            .fg
            .is_some());
        assert!(Theme::from_no_color(None).title().fg.is_some());
    }
}
