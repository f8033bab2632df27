//! `user add|passwd|disable|token`.

use std::io::{BufRead, IsTerminal};
use std::path::Path;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use tongquan_domain::access::Actor;
use tongquan_domain::codes::Username;
use tongquan_store::Store;
use tongquan_store::accounts::{Account, NewAccount};

use crate::Result;
use crate::config::{self, Location};

const CLI: Actor = Actor::System("cli");

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a staff account.
    Add {
        username: String,
        /// city_admin, county_bureau, branch_clerk, centre_clerk, department_admin, team_leader or officer.
        #[arg(long)]
        role: String,
        /// `city`, or a county, town, office or department code.
        #[arg(long)]
        jurisdiction: String,
        /// Display name.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        password: PasswordInput,
        #[command(flatten)]
        at: Location,
    },
    /// Set a new password (ends the account's sessions).
    Passwd {
        username: String,
        #[command(flatten)]
        password: PasswordInput,
        #[command(flatten)]
        at: Location,
    },
    /// Disable an account: it can no longer sign in, and its sessions and tokens end.
    Disable {
        username: String,
        #[command(flatten)]
        at: Location,
    },
    /// Issue an API token for machine clients; printed once, stored only as a hash.
    Token {
        username: String,
        /// What the token is for.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        at: Location,
    },
}

#[derive(Args)]
pub struct PasswordInput {
    /// Read the password from the first line of standard input instead of prompting.
    #[arg(long)]
    password_stdin: bool,
}

impl PasswordInput {
    fn read(&self) -> Result<String> {
        if self.password_stdin || !std::io::stdin().is_terminal() {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
        }
        let first = rpassword::prompt_password("密码 / password: ")?;
        let again = rpassword::prompt_password("再输一次 / again: ")?;
        if first != again {
            return Err("两次输入的密码不一致 / the passwords differ"
                .to_owned()
                .into());
        }
        Ok(first)
    }
}

async fn find(store: &Store, username: &str) -> Result<Account> {
    Ok(store
        .account_by_username(&CLI, &Username::parse("username", username)?)
        .await?)
}

pub async fn run(file: Option<&Path>, command: UserCommand) -> Result<ExitCode> {
    match command {
        UserCommand::Add {
            username,
            role,
            jurisdiction,
            name,
            password,
            at,
        } => {
            let store = config::load(file, &at, None)?.open().await?;
            let new = NewAccount::parse(&username, &name, &role, &jurisdiction, &password.read()?)?;
            let a = store.create_account(&CLI, new).await?;
            println!(
                "created account {} (#{}), role {}, jurisdiction {}",
                a.username,
                a.id,
                a.role.slug(),
                a.jurisdiction
            );
        }
        UserCommand::Passwd {
            username,
            password,
            at,
        } => {
            let store = config::load(file, &at, None)?.open().await?;
            let a = find(&store, &username).await?;
            store.set_password(&CLI, a.id, &password.read()?).await?;
            println!(
                "password of {} changed; its sessions have ended",
                a.username
            );
        }
        UserCommand::Disable { username, at } => {
            let store = config::load(file, &at, None)?.open().await?;
            let a = find(&store, &username).await?;
            store
                .update_account(&CLI, a.id, &a.display_name, true, a.version)
                .await?;
            println!("disabled {}", a.username);
        }
        UserCommand::Token { username, name, at } => {
            let store = config::load(file, &at, None)?.open().await?;
            let a = find(&store, &username).await?;
            let token = store.create_api_token(&CLI, a.id, &name).await?;
            eprintln!(
                "API token for {} (shown once; send it as `Authorization: Bearer …`):",
                a.username
            );
            println!("{token}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
