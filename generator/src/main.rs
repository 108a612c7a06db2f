//! The `bookshop` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use generator::cmd;
use generator::content::Drafts;
use generator::layout::Layout;
use generator::site::Options;

// A build makes and frees millions of small strings on every core; mimalloc's per-thread
// pools do that for a fraction of the system allocator's cost.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (include/mimalloc.h), in milliseconds.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed memory goes back to the system after 10 ms (mimalloc 2's default), where mimalloc 3
/// keeps it a second: a build's steps each free tens of megabytes that the next step does
/// not reuse (100,000 books: a peak of 229-235 MB, 210-217 MB with this). The environment's
/// `MIMALLOC_PURGE_DELAY` still wins.
fn purge_freed_memory_soon() {
    // SAFETY: sets one option's default (ignored when the environment set it); no memory is touched.
    unsafe { libmimalloc_sys::mi_option_set_default(MI_OPTION_PURGE_DELAY, 10) };
}

/// Build a static bookshop from markdown books.
#[derive(Parser)]
#[command(name = "bookshop", version, about)]
struct Cli {
    /// The site's folder (the one holding content/, and themes/ if it has its own).
    #[arg(long, global = true, default_value = ".")]
    root: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site; a site with any problem is not written.
    Build {
        /// Where to write the site (default: public/ under the root).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Build drafts too, as if published: a preview, never to be deployed.
        #[arg(long)]
        drafts: bool,
    },
    /// Report every problem in the site, write nothing.
    Check {
        /// Check drafts as fully as published books.
        #[arg(long)]
        drafts: bool,
    },
    /// Build the site, then rebuild what each change to its files touches, until stopped.
    Watch {
        /// Where to write the site (default: public/ under the root).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Build drafts too, to preview them (`make dev DRAFTS=1`).
        #[arg(long)]
        drafts: bool,
    },
    /// Start a new book file, a draft, in content/books/.
    New {
        /// The book's title.
        title: String,
        /// The book's id (its file name and URL); made from the title when left out.
        #[arg(long)]
        id: Option<String>,
    },
}

/// What the library is handed besides the site's files: `--drafts`, and the publishable
/// key from the environment (the library never reads the environment itself).
fn options(drafts: bool) -> Options {
    Options {
        drafts: if drafts { Drafts::Include } else { Drafts::Skip },
        publishable_key: std::env::var("STRIPE_PUBLISHABLE_KEY").ok().filter(|k| !k.is_empty()),
    }
}

fn main() -> ExitCode {
    purge_freed_memory_soon();
    let mut cli = Cli::parse();
    if cli.root == std::path::Path::new(".") {
        // Errors then name `content/books/x.md`, not `./content/books/x.md`.
        cli.root = PathBuf::new();
    }
    let site = Layout::new(cli.root);
    let result = match cli.command {
        Command::Build { output, drafts } => {
            let output = output.unwrap_or_else(|| site.output());
            cmd::build::run(&site, &output, &options(drafts)).map(drop)
        }
        Command::Check { drafts } => cmd::check::run(&site, &options(drafts)),
        Command::Watch { output, drafts } => {
            let output = output.unwrap_or_else(|| site.output());
            cmd::watch::run(&site, &output, &options(drafts))
        }
        Command::New { title, id } => cmd::new::run(&site, &title, id.as_deref()).map(drop),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            for cause in error.chain().skip(1) {
                eprintln!("  reason: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}
