//! Commands run by a running agent: asking it, and ending as its command ended.

use tokenvault_agent::client::{Asked, ask};
use tokenvault_agent::protocol::{self, Reply, Request};
use tokenvault_core::vault::home::Home;

use super::Outcome;
use crate::exit::{self, Failure};
use crate::output;

/// Asks the agent of `home` to run `command`: its reply, or `None` when no agent runs (or
/// only one this user should not trust, which is said).
pub(crate) async fn ask_agent(
    home: &Home,
    command: protocol::Command,
) -> Result<Option<Reply>, Failure> {
    match ask(home.path(), Request::Run(command)).await {
        Asked::NoAgent => Ok(None),
        Asked::Unsafe(why) => {
            output::note(&format!("tokenvault: {why}"));
            Ok(None)
        }
        Asked::Broken(why) => Err(Failure::Relayed {
            message: why,
            exit: exit::LOCAL,
        }),
        Asked::Answered(reply) => Ok(Some(reply)),
    }
}

/// Prints what the agent's command printed and ends as it ended.
pub(super) fn relay(reply: Reply) -> Outcome {
    if let Some(refused) = refusal(&reply) {
        return Err(refused);
    }
    output::replay(&reply.stdout, &reply.stderr);
    failure_of(&reply).map_or(Ok(()), Err)
}

/// The agent's refusal to run a command at all (another version, locked), as a failure.
pub(crate) fn refusal(reply: &Reply) -> Option<Failure> {
    reply.refused.as_ref().map(|why| Failure::Relayed {
        message: why.clone(),
        exit: reply.exit.max(exit::USAGE),
    })
}

/// How the command the agent ran failed, if it did.
pub(crate) fn failure_of(reply: &Reply) -> Option<Failure> {
    match &reply.failure {
        None if reply.exit == 0 => None,
        failure => Some(Failure::Relayed {
            message: failure
                .clone()
                .unwrap_or_else(|| "the command failed in the agent".into()),
            exit: reply.exit,
        }),
    }
}
