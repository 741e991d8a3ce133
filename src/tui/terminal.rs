//! Taking over the terminal and giving it back. `ratatui::try_init` enters raw mode and the
//! alternate screen and installs a panic hook that restores both; mouse capture is added here,
//! with its own hook link, so a panic never leaves the terminal reporting mouse movements.
//! In raw mode Ctrl-C arrives as a key, so the app handles it (asking before unsaved work goes).

use std::io::stdout;

use ratatui::crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::execute;
use ratatui::DefaultTerminal;

/// Enters raw mode, the alternate screen and mouse capture.
pub fn enter() -> std::io::Result<DefaultTerminal> {
    let terminal = ratatui::try_init()?;
    execute!(stdout(), EnableMouseCapture)?;
    let restore_terminal = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(stdout(), DisableMouseCapture);
        restore_terminal(info);
    }));
    Ok(terminal)
}

/// Gives the terminal back as it was.
pub fn leave() {
    let _ = execute!(stdout(), DisableMouseCapture);
    ratatui::restore();
}
