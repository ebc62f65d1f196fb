//! The providers the sandbox imitates: one row each, its imitation (`src/provider/`). The core
//! (`src/core/`) serves whatever this table holds and names none of them. A new provider's
//! imitation is a module in `src/provider/` and a row here (with its [`Provider`](crate::Provider)
//! variant and its section of [`Config`](crate::Config)).

use crate::core::imitation::{Imitation, Table};
use crate::provider::{apiforcrypto, cryptocloud, cryptoprocessing};

/// Every imitation, in [`Provider::ALL`](crate::Provider::ALL)'s order.
pub const TABLE: Table = &[
    &cryptocloud::CryptoCloud as &dyn Imitation,
    &cryptoprocessing::Cryptoprocessing,
    &apiforcrypto::ApiForCrypto,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_provider_has_one_row_in_order() {
        let rows: Vec<crate::Provider> = TABLE.iter().map(|i| i.provider()).collect();
        assert_eq!(rows, crate::Provider::ALL);
    }
}
