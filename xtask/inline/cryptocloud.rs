/// CryptoCloud's invoice identifiers: one definition of the `INV-` prefix rule, for this
/// crate's users, the paging helpers and the webhook verifier alike.
pub mod invoice_id {
    /// The prefix of an invoice identifier as the API returns it (`INV-89UX09KA`).
    pub const PREFIX: &str = "INV-";

    /// The identifier without its prefix (`89UX09KA`), which is how the API's own requests
    /// and tokens may name it too. The prefix is matched in any letter case, once.
    pub fn bare(id: &str) -> &str {
        match id.get(..PREFIX.len()) {
            Some(prefix) if prefix.eq_ignore_ascii_case(PREFIX) => &id[PREFIX.len()..],
            _ => id,
        }
    }

    /// Whether `a` and `b` name the same invoice, with or without the prefix.
    pub fn same(a: &str, b: &str) -> bool {
        bare(a) == bare(b)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn bare_strips_the_prefix_once_in_any_case() {
            assert_eq!(bare("INV-89UX09KA"), "89UX09KA");
            assert_eq!(bare("inv-89UX09KA"), "89UX09KA");
            assert_eq!(bare("89UX09KA"), "89UX09KA");
            assert_eq!(bare("INV-INV-1"), "INV-1");
            assert_eq!(bare("IN"), "IN");
            assert_eq!(bare("ÉÉÉ"), "ÉÉÉ");
            assert!(same("INV-A1", "A1") && same("inv-A1", "A1"));
            assert!(!same("INV-A1", "a1"), "the identifier itself keeps its case");
        }
    }
}
