//! `peerlab validate FILE`: checks a peering file (TOML or Azure resource JSON) against what
//! the Azure portal and Microsoft's peering policy require.
//!
//! Exit status: 0 when there is no error (warnings allowed), 1 with errors, 2 when the file
//! cannot be read or parsed. `--example` prints the built-in example exchange instead.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use peerlab::peering::check::Checked;
use peerlab::peering::example::EXAMPLE_TOML;
use peerlab::peering::load::{Format, LoadError};
use peerlab::peering::render;

const AFTER_HELP: &str = "Exit status: 0 no errors (warnings allowed), 1 errors, 2 file unreadable or unparsable.
The file format and every finding code: docs/peering-file.md";

/// Arguments of `peerlab validate`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct ValidateArgs {
    /// The peering file: TOML or Azure resource JSON; `-` reads standard input.
    #[arg(required_unless_present = "example")]
    pub file: Option<PathBuf>,
    /// Print the built-in example exchange (TOML, validates clean) and exit.
    #[arg(long, conflicts_with_all = ["file", "json", "format"])]
    pub example: bool,
    /// Print findings as JSON: {"file","format","findings":[{"severity","code","path","message","fix"}],"summary"}.
    #[arg(long)]
    pub json: bool,
    /// Read the file as this format instead of guessing from its extension and content.
    #[arg(long, value_enum)]
    pub format: Option<InputFormat>,
    /// When to colour the output for people.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// The TOML peering file.
    Toml,
    /// Azure resource JSON.
    AzureJson,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when standard output is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Runs `peerlab validate`.
pub fn run(args: &ValidateArgs) -> ExitCode {
    if args.example {
        write_stdout(EXAMPLE_TOML);
        return ExitCode::SUCCESS;
    }
    let path = args.file.as_deref().unwrap_or(Path::new("-"));
    let name = path.display().to_string();
    let colour = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => auto_colour(std::io::stdout().is_terminal()),
    };
    let checked = read(path).and_then(|text| {
        let format = match args.format {
            Some(InputFormat::Toml) => Format::Toml,
            Some(InputFormat::AzureJson) => Format::AzureJson,
            None => Format::detect((name != "-").then_some(path), &text),
        };
        Checked::parse(&name, &text, format)
    });
    let checked = match checked {
        Ok(checked) => checked,
        Err(error) => {
            if args.json {
                write_stdout(&format!("{:#}\n", render::load_error_json(&name, &error)));
            }
            let stderr_colour = colour && std::io::stderr().is_terminal();
            let _ = std::io::stderr().write_all(render::load_error_human(&name, &error, stderr_colour).as_bytes());
            return ExitCode::from(2);
        }
    };
    if args.json {
        write_stdout(&format!("{:#}\n", checked.report().json()));
    } else {
        write_stdout(&checked.report().human(colour));
    }
    if checked.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Whether to colour text for people on a stream: when it is a terminal and `NO_COLOR` is
/// unset.
pub fn auto_colour(terminal: bool) -> bool {
    terminal && std::env::var_os("NO_COLOR").is_none()
}

/// Reads the file, or standard input for `-`.
fn read(path: &Path) -> Result<String, LoadError> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| LoadError::new(format!("cannot read standard input: {e}")))?;
        return Ok(text);
    }
    std::fs::read_to_string(path).map_err(|e| LoadError::new(format!("cannot read the file: {e}")))
}

/// Writes to standard output; a closed pipe (`| head`) is not an error worth a panic.
fn write_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
}
