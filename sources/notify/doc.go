// Package notify delivers watch transitions to the engineer who is not
// looking at the screen: a terminal bell, a desktop notification by OSC 9
// and OSC 777 (wrapped for tmux so a background pane still reaches the
// outer terminal), and webhooks — a Feishu/Lark custom bot (optionally
// signed), a Slack incoming webhook, or a generic JSON POST.
//
// A Dispatcher takes transitions from the data layer through Notify, which
// never blocks, and delivers them on its own goroutines (Run). Webhooks
// group a burst into one message (group_wait), send at most one message
// per min_interval (excess is folded into the next), and retry failures
// with exponential backoff. Terminal notifications are immediate.
//
// Everything in a transition is untrusted text: it is sanitized before it
// reaches a terminal or a webhook. Webhook URLs carry tokens and are
// secrets, like the Feishu signing key: they come from files or the
// environment (or an inline config.Secret) and never appear in errors,
// logs, Status or String output.
package notify
