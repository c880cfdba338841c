//! The step vocabulary shared by every feature file: Given (profile, quirks, users,
//! registration), When (browser journeys) and Then (what the app showed, what the
//! journal says it sent).

mod bearer;
mod device;
mod given;
mod then_app;
mod then_journal;
mod when;

/// Splits `"A, B"` into names.
pub fn names(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}
