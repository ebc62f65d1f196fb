//! `generated/` is exactly what `cargo xtask regen` makes from `specs/`: the same check as
//! `cargo xtask regen --check`, as an ordinary test.

#[test]
fn generated_crates_are_fresh() {
    let root = xtask::workspace_root();
    if let Err(e) = xtask::regen(&root, xtask::Mode::Check) {
        panic!("{e}");
    }
}

/// Editing one description in a spec changes exactly its doc comment, plus the spec hash in
/// each generated file's header; the drift check then names the command to run.
#[test]
fn one_description_edit_changes_one_doc_comment() {
    let root = xtask::workspace_root();
    let provider = xtask::PROVIDERS
        .iter()
        .find(|p| p.name == "cryptocloud")
        .unwrap();
    let text = std::fs::read_to_string(root.join(provider.spec)).unwrap();
    let (before, after) = (
        "Network name (`Tron`).",
        "Network name (`Tron`, `Ethereum`).",
    );
    assert_eq!(
        text.matches(before).count(),
        1,
        "the edited description is unique"
    );
    let edited = xtask::Spec::parse(provider.spec, text.replace(before, after).as_bytes()).unwrap();
    let manifest = xtask::RootManifest::load(&root).unwrap();
    let generated = xtask::generate_crate(&root, &manifest, provider, &edited).unwrap();

    let mut changed = Vec::new();
    for file in &generated.files {
        let on_disk = std::fs::read_to_string(root.join(&file.path)).unwrap();
        let (old, new): (Vec<_>, Vec<_>) =
            (on_disk.lines().collect(), file.contents.lines().collect());
        assert_eq!(old.len(), new.len(), "{}: line count changed", file.path);
        for (o, n) in old.iter().zip(&new).filter(|(o, n)| o != n) {
            changed.push(format!("{}: {} => {}", file.path, o.trim(), n.trim()));
        }
    }
    let hash_lines = changed
        .iter()
        .filter(|c| c.contains("spec sha256: "))
        .count();
    let doc_lines: Vec<_> = changed
        .iter()
        .filter(|c| !c.contains("spec sha256: "))
        .collect();
    assert_eq!(hash_lines, generated.files.len(), "{changed:#?}");
    assert_eq!(
        doc_lines,
        [&format!(
            "generated/cryptocloud/src/lib.rs: /// {before} => /// {after}"
        )],
        "{changed:#?}"
    );
}
