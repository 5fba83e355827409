//! KYC Desk's executable: see the library crate.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    kyc_desk_lib::run();
}
