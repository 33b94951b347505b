// Package notify delivers watch transitions to the engineer who is not
// looking at the screen: a terminal bell, a desktop notification by OSC 9
// and OSC 777 (wrapped for tmux so a background pane still reaches the
// outer terminal), and webhooks — a Feishu/Lark custom bot (optionally
// signed), a Slack incoming webhook, or a generic JSON POST.
//
// A Dispatcher is a sources.Sink: it takes transitions from the data
// layer (Take, Notify), never blocking, and delivers them on its own
// goroutines (Run). Each notifier keeps the alerts it opened: min_state
// decides what opens one, and every alert is followed to its all-clear
// whatever min_state is (see alerts). Webhooks group a burst into one
// message (group_wait), send at most one message per min_interval
// (excess is folded into the next), and retry failures with exponential
// backoff; a message lists what is still firing. Terminal notifications
// are immediate. A notifier whose message failed shows in Status (and so
// in the status bar) until one is delivered.
//
// Values and thresholds are written in the indicator's unit as the screen
// writes them (23‱, 7.8/s), times in the transition's zone (the event's)
// with its abbreviation or offset.
//
// Everything in a transition is untrusted text: it is sanitized before it
// reaches a terminal or a webhook. Webhook URLs carry tokens and are
// secrets, like the Feishu signing key: they come from files or the
// environment (or an inline config.Secret) and never appear in errors,
// logs, Status or String output.
package notify
