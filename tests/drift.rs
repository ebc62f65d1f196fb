//! `generated/` is exactly what `cargo xtask regen` makes from `specs/`: the same check as
//! `cargo xtask regen --check`, as an ordinary test.

#[test]
fn generated_crates_are_fresh() {
    let root = xtask::workspace_root();
    if let Err(e) = xtask::regen(&root, xtask::Mode::Check) {
        panic!("{e}");
    }
}

/// Editing one description in a spec changes exactly the doc comments made from it (the
/// field's, and its builder setter's), plus the spec hash in each generated file's header.
#[test]
fn one_description_edit_changes_only_its_doc_comments() {
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
    // Each changed doc line with the item it documents (the next line that is not a doc
    // comment).
    let mut documented = Vec::new();
    for file in &generated.files {
        let on_disk = std::fs::read_to_string(root.join(&file.path)).unwrap();
        let (old, new): (Vec<_>, Vec<_>) =
            (on_disk.lines().collect(), file.contents.lines().collect());
        assert_eq!(old.len(), new.len(), "{}: line count changed", file.path);
        for (i, (o, n)) in old
            .iter()
            .zip(&new)
            .enumerate()
            .filter(|(_, (o, n))| o != n)
        {
            changed.push(format!("{}: {} => {}", file.path, o.trim(), n.trim()));
            if n.trim_start().starts_with("///") {
                let item = new[i + 1..]
                    .iter()
                    .map(|line| line.trim())
                    .find(|line| !line.starts_with("///"))
                    .unwrap_or_default();
                documented.push(item.to_owned());
            }
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
    let doc_change = format!("generated/cryptocloud/src/lib.rs: /// {before} => /// {after}");
    assert_eq!(doc_lines, [&doc_change, &doc_change], "{changed:#?}");
    // `types::Network::fullname`, and `types::builder::Network::fullname`, the setter.
    assert_eq!(
        documented,
        [
            "pub fullname: ::std::string::String,",
            "pub fn fullname<T>(mut self, value: T) -> Self",
        ],
        "{changed:#?}"
    );
}
