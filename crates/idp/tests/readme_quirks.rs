//! The README's quirk reference matches the declarations: every quirk, in declaration
//! order, with its default and the profiles that differ, exactly as `reference_rows`
//! generates them. On a mismatch the message prints the rows to paste.

use stickler_idp::profiles::reference_rows;

#[test]
fn the_readme_quirk_table_matches_the_declarations() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md at the workspace root");
    let section = readme
        .split("### Quirk reference")
        .nth(1)
        .expect("a `### Quirk reference` section");
    let rows: Vec<Vec<String>> = section
        .lines()
        .skip_while(|l| !l.starts_with("| quirk |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_matches('|')
                .splitn(4, " | ")
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect();
    let expected = reference_rows();
    let shown: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
        .collect();
    let wanted: Vec<(String, String, String)> = expected
        .iter()
        .map(|r| (r.name.clone(), r.default.clone(), r.differs.clone()))
        .collect();
    if shown != wanted {
        let paste: Vec<String> = expected
            .iter()
            .map(|r| format!("| {} | {} | {} | …", r.name, r.default, r.differs))
            .collect();
        panic!(
            "README quirk reference is out of date; its first three columns should read:\n{}",
            paste.join("\n")
        );
    }
    for r in &rows {
        assert!(
            r.len() == 4 && r[3].len() > 20,
            "a row without its explanation: {r:?}"
        );
    }
}
