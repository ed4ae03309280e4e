package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/slack-go/slack"
	"github.com/tfdrift/tfdrift/ticket"
)

// Defaults.
const (
	DefaultName    = "slack"
	DefaultTimeout = 10 * time.Second
)

// Options configure the Slack sink. Set WebhookURL, Token, or both; each
// channel may also have its own incoming webhook.
type Options struct {
	// Name is the sink's name; default "slack".
	Name string
	// WebhookURL is an incoming webhook; it posts to the channel it was
	// created for.
	WebhookURL string
	// Token is a bot token (xoxb-…) for chat.postMessage, which can post
	// to any channel the bot is in.
	Token string
	// Channel is the default channel: the target of notices without one.
	Channel string
	// ChannelWebhooks maps a channel name to its own incoming webhook
	// (channels[].webhook_url); it wins over Token and WebhookURL.
	ChannelWebhooks map[string]string
	// MessageTemplate replaces the message text.
	MessageTemplate string
	CodeLink        ticket.CodeLink
	// APIURL is Slack's Web API base ("https://slack.com/api/" by
	// default); tests point it at slacktest.
	APIURL     string
	Timeout    time.Duration
	HTTPClient *http.Client
	Now        func() time.Time
}

// Sink posts notices to Slack.
type Sink struct {
	o   Options
	r   *Renderer
	api *slack.Client
}

// New checks o and returns the sink. A message template is parsed and
// test-run against ticket.SampleNotice.
func New(o Options) (*Sink, error) {
	if o.Name == "" {
		o.Name = DefaultName
	}
	if o.WebhookURL == "" && o.Token == "" && len(o.ChannelWebhooks) == 0 {
		return nil, fmt.Errorf("slack %s: set webhook_url, token or a channel webhook_url", o.Name)
	}
	for ch, u := range o.ChannelWebhooks {
		if err := checkURL(u); err != nil {
			return nil, fmt.Errorf("slack %s: channel %s: %w", o.Name, ch, err)
		}
	}
	if o.WebhookURL != "" {
		if err := checkURL(o.WebhookURL); err != nil {
			return nil, fmt.Errorf("slack %s: %w", o.Name, err)
		}
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	r, err := NewRenderer(o.MessageTemplate, o.CodeLink)
	if err != nil {
		return nil, fmt.Errorf("slack %s: message_template: %w", o.Name, err)
	}
	s := &Sink{o: o, r: r}
	if o.Token != "" {
		opts := []slack.Option{slack.OptionHTTPClient(o.HTTPClient)}
		if o.APIURL != "" {
			opts = append(opts, slack.OptionAPIURL(o.APIURL))
		}
		s.api = slack.New(o.Token, opts...)
	}
	return s, nil
}

// Name is the sink's name.
func (s *Sink) Name() string { return s.o.Name }

// Render returns the message Send would post.
func (s *Sink) Render(n *ticket.Notice) (*Message, error) { return s.r.Render(n) }

// Send posts n to its target channel (or the default): through the
// channel's own webhook, else chat.postMessage with the token, else the
// sink's incoming webhook. A message posted with the token has a receipt,
// "<channel ID>/<ts>" (what a thread reply or an update needs); an
// incoming webhook answers only "ok", so its receipt is empty.
func (s *Sink) Send(ctx context.Context, n *ticket.Notice) (ticket.Receipt, error) {
	m, err := s.r.Render(n)
	if err != nil {
		return ticket.Receipt{}, ticket.Permanent("slack "+s.o.Name, err)
	}
	channel := n.Target
	if channel == "" {
		channel = s.o.Channel
	}
	ctx, cancel := context.WithTimeout(ctx, s.o.Timeout)
	defer cancel()
	if hook, ok := s.o.ChannelWebhooks[channel]; ok && hook != "" {
		return ticket.Receipt{}, s.postWebhook(ctx, hook, "", m, channel)
	}
	if s.api != nil {
		if channel == "" {
			return ticket.Receipt{}, ticket.Permanentf("slack %s: no channel for chat.postMessage (set channel, or route to a channel)", s.o.Name)
		}
		return s.postMessage(ctx, channel, m)
	}
	if s.o.WebhookURL != "" {
		return ticket.Receipt{}, s.postWebhook(ctx, s.o.WebhookURL, channel, m, channel)
	}
	return ticket.Receipt{}, ticket.Permanentf("slack %s: channel %q has no webhook and there is no token", s.o.Name, channel)
}

// postWebhook posts to an incoming webhook. It does not use
// slack.PostWebhook, which drops the response body: Slack's reason
// (invalid_payload, channel_is_archived, no_service) is what a
// dead-lettered notice needs to show.
func (s *Sink) postWebhook(ctx context.Context, hook, channelField string, m *Message, channel string) error {
	body, err := ticket.MarshalJSON(m.Webhook(channelField))
	if err != nil {
		return ticket.Permanent("slack "+s.o.Name, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook, bytes.NewReader(body))
	if err != nil {
		return ticket.Permanent("slack "+s.o.Name, err)
	}
	req.Header.Set("Content-Type", "application/json")
	what := fmt.Sprintf("slack %s: webhook for %s", s.o.Name, orDefault(channel))
	return ticket.Do(s.o.HTTPClient, req, what, s.o.Now)
}

// permanentAPIErrors are chat.postMessage errors that retrying cannot fix.
var permanentAPIErrors = []string{
	"channel_not_found", "not_in_channel", "is_archived", "msg_too_long", "no_text",
	"too_many_attachments", "invalid_blocks", "invalid_blocks_format", "invalid_attachments",
	"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
	"no_permission", "missing_scope", "restricted_action", "ekm_access_denied",
	"invalid_arguments", "channel_is_archived", "team_access_not_granted",
}

func (s *Sink) postMessage(ctx context.Context, channel string, m *Message) (ticket.Receipt, error) {
	ch, ts, err := s.api.PostMessageContext(ctx, channel,
		slack.MsgOptionText(m.Text, false),
		slack.MsgOptionAttachments(m.Attachments...),
	)
	if err == nil {
		if ch == "" {
			ch = channel
		}
		return ticket.Receipt{System: ticket.TypeSlack, ExternalID: ch + "/" + ts}, nil
	}
	what := fmt.Sprintf("slack %s: chat.postMessage to %s", s.o.Name, channel)
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return ticket.Receipt{}, &ticket.RetryAfterError{After: rl.RetryAfter, Err: fmt.Errorf("%s: %w", what, err)}
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && slices.Contains(permanentAPIErrors, se.Err) {
		return ticket.Receipt{}, ticket.Permanent(what, err)
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		return ticket.Receipt{}, ticket.StatusError(what, sc.Code, http.Header{}, nil, s.o.Now())
	}
	return ticket.Receipt{}, fmt.Errorf("%s: %w", what, err)
}

func orDefault(channel string) string {
	if channel == "" {
		return "the default channel"
	}
	return channel
}

func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// The webhook URL is a credential: never quote it.
		return errors.New("webhook URL is not an http(s) URL")
	}
	return nil
}
