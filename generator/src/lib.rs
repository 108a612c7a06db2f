//! The `bookshop` generator: markdown books and a theme in, a static shop out.
//!
//! Data flows one way: `content/` → [`content`] (validated books, exact money) →
//! [`render`] (pages and the price list) → [`output`] (written atomically).

pub mod assets;
pub mod catalog_files;
pub mod cmd;
pub mod config;
pub mod content;
pub mod cover;
pub mod diagnostic;
pub mod escape;
pub mod feeds;
pub mod front_matter;
pub mod headers;
pub mod imageproc;
pub mod images;
pub mod incremental;
pub mod layout;
pub mod listing;
pub mod markdown;
pub mod messages;
pub mod minify;
pub mod output;
pub mod preview;
pub mod render;
pub mod search;
pub mod site;
pub mod slips;
pub mod slug;
pub mod structured;
pub mod theme;
pub mod validate;
