//! `generated/` is exactly what `cargo xtask regen` makes from `specs/`: the same check as
//! `cargo xtask regen --check`, as an ordinary test.

#[test]
fn generated_crates_are_fresh() {
    let root = xtask::workspace_root();
    if let Err(e) = xtask::regen(&root, xtask::Mode::Check) {
        panic!("{e}");
    }
}
