"""Anonymous, one-vote-per-poll ballots: pseudonym proofs from resident credentials, each
appended to the verifiable log, re-tallied by anyone from the log and the published keys."""
