//! No `ByteStream`: a pass over progenitor's imports.
//!
//! progenitor imports its untyped byte stream, `ByteStream`, in every client (and re-exports
//! it), for operations that answer with raw bytes. No documented operation does, and the
//! runtime (`invoice_primitives::progenitor`) has no `ByteStream`: providing one would turn on
//! reqwest's `stream` feature and `tokio-util` in every user's build, 2–5% of a client's cold
//! build. This pass removes the name from the `use` items; if anything else in the client still
//! names it, an operation answers with a byte stream, and regeneration fails saying so.

use syn::visit_mut::VisitMut;
use syn::{Item, UseTree};

const NAME: &str = "ByteStream";

/// Drops `ByteStream` from the `use` items at the top of the file and in its modules.
pub fn remove(file: &mut syn::File) -> Result<(), String> {
    remove_from_items(&mut file.items);
    let mut finder = Finder(false);
    finder.visit_file_mut(file);
    if finder.0 {
        Err(format!(
            "an operation answers with progenitor's `{NAME}`, which invoice-primitives does not \
             provide (see xtask/src/byte_stream.rs)"
        ))
    } else {
        Ok(())
    }
}

fn remove_from_items(items: &mut Vec<Item>) {
    items.retain_mut(|item| match item {
        Item::Use(item) => !remove_from_tree(&mut item.tree),
        Item::Mod(module) => {
            if let Some((_, items)) = module.content.as_mut() {
                remove_from_items(items);
            }
            true
        }
        _ => true,
    });
}

/// Removes `ByteStream` from `tree`; true when nothing is left of it.
fn remove_from_tree(tree: &mut UseTree) -> bool {
    match tree {
        UseTree::Name(name) => name.ident == NAME,
        UseTree::Path(path) => remove_from_tree(&mut path.tree),
        UseTree::Group(group) => {
            let kept: Vec<UseTree> = std::mem::take(&mut group.items)
                .into_iter()
                .filter_map(|mut tree| (!remove_from_tree(&mut tree)).then_some(tree))
                .collect();
            let empty = kept.is_empty();
            group.items = kept.into_iter().collect();
            empty
        }
        UseTree::Rename(_) | UseTree::Glob(_) => false,
    }
}

/// Whether any identifier is `ByteStream`.
struct Finder(bool);

impl VisitMut for Finder {
    fn visit_ident_mut(&mut self, ident: &mut proc_macro2::Ident) {
        self.0 |= ident == NAME;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn removed(source: &str) -> Result<String, String> {
        let mut file = syn::parse_str(source).unwrap();
        remove(&mut file)?;
        Ok(prettyplease::unparse(&file))
    }

    #[test]
    fn the_imports_lose_the_name_and_nothing_else() {
        let out = removed(
            "pub use progenitor_client::{ByteStream, ClientInfo, Error};\n\
             use progenitor_client::ByteStream;\n\
             pub mod builder { use super::{encode_path, ByteStream, Error}; }",
        )
        .unwrap();
        assert_eq!(
            out,
            "pub use progenitor_client::{ClientInfo, Error};\n\
             pub mod builder {\n    use super::{encode_path, Error};\n}\n"
        );
    }

    #[test]
    fn an_operation_answering_with_a_byte_stream_fails() {
        let error = removed(
            "pub use progenitor_client::{ByteStream, Error};\n\
             fn send() -> Result<ResponseValue<ByteStream>, Error> { todo!() }",
        )
        .unwrap_err();
        assert!(error.contains("an operation answers with"), "{error}");
    }
}
