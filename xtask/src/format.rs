//! Turning progenitor's `TokenStream` into the text `cargo fmt` would leave
//! untouched.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

use crate::Error;

/// progenitor's tokens as a syntax tree, for `prettyplease::unparse`.
///
/// prettyplease runs before rustfmt: it turns `#[doc = "..."]` attributes
/// into `///` comments and gives rustfmt sane input. rustfmt then makes the
/// text byte-identical to what `cargo fmt` makes of the file.
pub fn parse(tokens: TokenStream) -> Result<syn::File, Error> {
    syn::parse2(split_doc_lines(tokens)).map_err(|e| Error::Format {
        message: format!("progenitor's output does not parse as Rust: {e}"),
    })
}

/// Rewrites each multi-line `#[doc = "a\nb"]` into one `#[doc = " a"]` per
/// line, which rustdoc joins back into the same text.
///
/// prettyplease prints a multi-line doc attribute as a `/** .. */` block,
/// whose continuation lines rustfmt then indents: rustdoc reads those as an
/// indented code block and fails to compile it as a doctest. One attribute
/// per line prints as `///` lines instead. A space added in front of every
/// non-empty line (unless all have one) gives the usual `/// text` look;
/// rustdoc strips indentation common to all lines, so the rendered docs do
/// not change.
fn split_doc_lines(tokens: TokenStream) -> TokenStream {
    let mut out = Vec::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(tree) = iter.next() {
        match tree {
            TokenTree::Punct(hash) if hash.as_char() == '#' => {
                let doc = match iter.peek() {
                    Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket => {
                        doc_text(g.stream())
                    }
                    _ => None,
                };
                match doc {
                    Some(text) => {
                        iter.next();
                        // `///` comments in progenitor's own templates
                        // already start with a space; typify's docs do not.
                        let pad = if text
                            .lines()
                            .all(|l| l.trim().is_empty() || l.starts_with(' '))
                        {
                            ""
                        } else {
                            " "
                        };
                        for line in text.split('\n') {
                            let line = match line.trim_end() {
                                "" => String::new(),
                                line => format!("{pad}{line}"),
                            };
                            let attr: TokenStream = quote_doc(&line);
                            out.push(TokenTree::Punct(hash.clone()));
                            out.extend(attr);
                        }
                    }
                    None => out.push(TokenTree::Punct(hash)),
                }
            }
            TokenTree::Group(g) => {
                let mut group = Group::new(g.delimiter(), split_doc_lines(g.stream()));
                group.set_span(g.span());
                out.push(TokenTree::Group(group));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

/// The text of `doc = "..."` (the inside of an outer doc attribute).
fn doc_text(attr: TokenStream) -> Option<String> {
    let meta: syn::MetaNameValue = syn::parse2(attr).ok()?;
    if !meta.path.is_ident("doc") {
        return None;
    }
    match meta.value {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        _ => None,
    }
}

/// `[doc = "<line>"]`, the bracketed part of a doc attribute.
fn quote_doc(line: &str) -> TokenStream {
    let inner: TokenStream = [
        TokenTree::Ident(Ident::new("doc", Span::call_site())),
        TokenTree::Punct(Punct::new('=', Spacing::Alone)),
        TokenTree::Literal(Literal::string(line)),
    ]
    .into_iter()
    .collect();
    TokenTree::Group(Group::new(Delimiter::Bracket, inner)).into()
}

/// The rustfmt to run: `$RUSTFMT` (which `cargo fmt` honours too), else the one next to the
/// `cargo` running us (`$CARGO`, set by `cargo run` and `cargo xtask`), else `rustfmt` from
/// `PATH`. Running the toolchain's binary directly skips the rustup proxy, which costs
/// 40-100 ms per file (more than formatting a small file).
fn rustfmt_program() -> std::ffi::OsString {
    if let Some(program) = std::env::var_os("RUSTFMT") {
        return program;
    }
    std::env::var_os("CARGO")
        .map(std::path::PathBuf::from)
        .and_then(|cargo| {
            let sibling = cargo.with_file_name(format!("rustfmt{}", std::env::consts::EXE_SUFFIX));
            sibling.is_file().then(|| sibling.into_os_string())
        })
        .unwrap_or_else(|| "rustfmt".into())
}

/// Runs the toolchain's rustfmt on `source` (via stdin, from `root` so the
/// workspace's rustfmt.toml, if any, applies, as it does for `cargo fmt`).
pub fn rustfmt(root: &Path, edition: &str, source: &str) -> Result<String, Error> {
    let rustfmt = rustfmt_program();
    let mut child = Command::new(&rustfmt)
        .args(["--edition", edition, "--emit", "stdout"])
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::Format {
            message: format!(
                "cannot run {}: {e} (install it with `rustup component add rustfmt`)",
                rustfmt.to_string_lossy()
            ),
        })?;
    // Feed stdin from another thread: rustfmt may fill its stdout pipe
    // before it has read all of a large input.
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = source.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().map_err(|e| Error::Format {
        message: format!("waiting for rustfmt: {e}"),
    })?;
    let written = writer.join().expect("stdin writer thread panicked");
    if !output.status.success() {
        return Err(Error::Format {
            message: format!(
                "rustfmt failed ({}):\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ),
        });
    }
    written.map_err(|e| Error::Format {
        message: format!("writing to rustfmt: {e}"),
    })?;
    String::from_utf8(output.stdout).map_err(|e| Error::Format {
        message: format!("rustfmt printed invalid UTF-8: {e}"),
    })
}
