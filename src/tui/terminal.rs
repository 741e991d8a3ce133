//! Taking over the terminal and giving it back. `ratatui::try_init` enters raw mode and the
//! alternate screen and installs a panic hook that restores both; mouse capture and bracketed
//! paste are added here, with their own hook link, so a panic never leaves the terminal
//! reporting mouse movements or wrapping pastes. Bracketed paste makes a paste one event
//! (crossterm's `Event::Paste`), so a long note lands whole and at once, not as thousands of
//! keys, and a key pressed after it is not mistaken for part of it.
//! In raw mode Ctrl-C arrives as a key, so the app handles it (asking before unsaved work goes).

use std::io::stdout;

use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::execute;
use ratatui::DefaultTerminal;

/// Enters raw mode, the alternate screen, mouse capture and bracketed paste.
pub fn enter() -> std::io::Result<DefaultTerminal> {
    let terminal = ratatui::try_init()?;
    execute!(stdout(), EnableMouseCapture, EnableBracketedPaste)?;
    let restore_terminal = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(stdout(), DisableBracketedPaste, DisableMouseCapture);
        restore_terminal(info);
    }));
    Ok(terminal)
}

/// Gives the terminal back as it was.
pub fn leave() {
    let _ = execute!(stdout(), DisableBracketedPaste, DisableMouseCapture);
    ratatui::restore();
}
