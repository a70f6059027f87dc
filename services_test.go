package tago

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServicesOperations(t *testing.T) {
	t.Parallel()
	ok := `"Sent"`
	at := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	pdfAttachment := &EmailAttachment{Filename: "report.pdf", Content: []byte("%PDF-1.4")}
	runOps(t, AnalysisToken(testAnalysisToken), "Analysis-Token", []opCase{
		{
			name: "current analysis", method: "GET", path: "/info",
			result: `{"id":"` + testAnalysisID + `","name":"Alerts","active":true,"run_on":"external","profile":"x"}`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Services.Current(ctx) },
			want:   AnalysisTokenInfo{ID: testAnalysisID, Name: "Alerts", Active: true, RunOn: RunOnExternal},
		},
		{
			name: "console", method: "POST", path: "/analysis/services/console/send",
			body: `{"message":"line 1\nline 2","timestamp":1741608000000}`, result: `"Console sent"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Services.Log(ctx, "line 1\nline 2", at))
			},
		},
		{
			name: "e-mail to one recipient", method: "POST", path: "/analysis/services/email/send",
			body:   `{"to":"ops@example.com","from":"Greenhouse","subject":"Alert","message":"Too hot"}`,
			result: ok,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Services.SendEmail(ctx, EmailRequest{To: []string{"ops@example.com"}, From: "Greenhouse",
					Subject: "Alert", Message: "Too hot"}))
			},
		},
		{
			name: "e-mail to several, HTML, with attachment", method: "POST", path: "/analysis/services/email/send",
			body: `{"to":["a@example.com","b@example.com"],"subject":"Report","html":"<b>hi</b>",` +
				`"attachment":{"archive":"JVBERi0xLjQ=","type":"base64","filename":"report.pdf"}}`,
			result: ok,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Services.SendEmail(ctx, EmailRequest{To: []string{"a@example.com", "b@example.com"},
					Subject: "Report", HTML: "<b>hi</b>", Attachment: pdfAttachment}))
			},
		},
		{
			name: "e-mail with template", method: "POST", path: "/analysis/services/email/send",
			body:   `{"to":"a@example.com","template":{"name":"alarm","params":{"name":"John","level":3}}}`,
			result: ok,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Services.SendEmail(ctx, EmailRequest{To: []string{"a@example.com"},
					Template: &EmailTemplate{Name: "alarm", Params: map[string]any{"name": "John", "level": 3}}}))
			},
		},
		{
			name: "SMTP e-mail with credentials", method: "POST", path: "/analysis/services/email-smtp/send",
			body: `{"to":"a@example.com,b@example.com","subject":"S","message":"M",` +
				`"smtp_secret":{"smtp_server":"smtp.example.com","smtp_port":587,"username":"u","password":"p4ss"}}`,
			result: ok,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Services.SendEmailSMTP(ctx, SMTPEmailRequest{
					EmailRequest: EmailRequest{To: []string{"a@example.com", "b@example.com"}, Subject: "S", Message: "M"},
					Credentials:  SMTPCredentials{Server: "smtp.example.com", Port: 587, Username: "u", Password: "p4ss"}}))
			},
		},
		{
			name: "SMTP e-mail with a secret", method: "POST", path: "/analysis/services/email-smtp/send",
			body:   `{"to":"a@example.com","subject":"S","message":"M","smtp_secret":"{\"smtp_server\":\"s\"}"}`,
			result: ok,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Services.SendEmailSMTP(ctx, SMTPEmailRequest{
					EmailRequest: EmailRequest{To: []string{"a@example.com"}, Subject: "S", Message: "M"},
					SecretJSON:   `{"smtp_server":"s"}`}))
			},
		},
		{
			name: "SendGrid e-mail", method: "POST", path: "/analysis/services/email-sendgrid/send",
			body:   `{"to":"a@example.com,b@example.com","from":"me@example.com","subject":"S","message":"M","sendgrid_api_key":"SG.key"}`,
			result: ok,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Services.SendEmailSendGrid(ctx, SendGridEmailRequest{
					EmailRequest: EmailRequest{To: []string{"a@example.com", "b@example.com"}, From: "me@example.com", Subject: "S", Message: "M"},
					APIKey:       "SG.key"}))
			},
		},
		{
			name: "SMS", method: "POST", path: "/analysis/services/sms/send",
			body: `{"to":"+5599999999999","message":"Too hot"}`, result: ok,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Services.SendSMS(ctx, SMSRequest{To: "+5599999999999", Message: "Too hot"}))
			},
		},
		{
			name: "Twilio SMS", method: "POST", path: "/analysis/services/sms-twilio/send",
			body:   `{"to":"+1234567890","message":"Hi","from":"+0987654321","twilio_sid":"AC1","twilio_token":"tw-token"}`,
			result: ok,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Services.SendSMSTwilio(ctx, TwilioSMSRequest{To: "+1234567890", Message: "Hi",
					TwilioAccount: TwilioAccount{From: "+0987654321", SID: "AC1", AuthToken: "tw-token"}}))
			},
		},
		{
			name: "WhatsApp with a file", method: "POST", path: "/analysis/services/whatsapp-twilio/send",
			body: `{"to":"+1","from":"+2","twilio_sid":"AC1","twilio_token":"tw-token","message":"See",` +
				`"content_type":"application/pdf","attachment":{"archive":"JVBERi0xLjQ=","type":"base64","filename":"report.pdf"}}`,
			result: ok,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Services.SendWhatsApp(ctx, WhatsAppRequest{To: "+1", Message: "See", ContentType: "application/pdf",
					Attachment: pdfAttachment, TwilioAccount: TwilioAccount{From: "+2", SID: "AC1", AuthToken: "tw-token"}}))
			},
		},
		{
			name: "WhatsApp template", method: "POST", path: "/analysis/services/whatsapp-twilio/send",
			body: `{"to":"+1","from":"+2","twilio_sid":"AC1","twilio_token":"tw-token","content_sid":"HX1",` +
				`"content_variables":{"1":"Hello"}}`,
			result: ok,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Services.SendWhatsApp(ctx, WhatsAppRequest{To: "+1", ContentSID: "HX1",
					ContentVariables: map[string]string{"1": "Hello"}, TwilioAccount: TwilioAccount{From: "+2", SID: "AC1", AuthToken: "tw-token"}}))
			},
		},
		{
			name: "notification", method: "POST", path: "/analysis/services/notification/send",
			body: `{"title":"Alert","message":"Too hot","ref_id":"` + resDeviceID + `","buttons":[{"id":"ack","label":"OK",` +
				`"triggers":[{"analysis_id":"` + testAnalysisID + `","scope":[{"variable":"ack","value":true}]}]}]}`,
			result: ok,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Services.Notify(ctx, NotificationSendRequest{RefID: resDeviceID, NotificationCreateRequest: NotificationCreateRequest{
					Title: "Alert", Message: "Too hot", Buttons: []NotificationButton{{ID: "ack", Label: "OK", Triggers: []json.RawMessage{
						json.RawMessage(`{"analysis_id":"` + testAnalysisID + `","scope":[{"variable":"ack","value":true}]}`)}}}}}))
			},
		},
		{
			name: "MQTT publish", method: "POST", path: "/analysis/services/mqtt/publish",
			body:   `{"device":"` + resDeviceID + `","topic":"cmd/reboot","message":"now","qos":1}`,
			result: ok,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Services.PublishMQTT(ctx, MQTTPublishRequest{Device: resDeviceID, Topic: "cmd/reboot", Message: "now", QoS: 1}))
			},
		},
		{
			name: "attachment upload", method: "POST", path: "/analysis/services/attachment/upload",
			body:   `{"archive":"JVBERi0xLjQ=","filename":"report.pdf","type":"application/pdf"}`,
			result: `"https://files.example.com/report.pdf"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Services.UploadAttachment(ctx, AttachmentUploadRequest{Name: "report.pdf", Content: []byte("%PDF-1.4"), Type: "application/pdf"})
			},
			want: "https://files.example.com/report.pdf",
		},
		{
			name: "SQS", method: "POST", path: "/analysis/services/queue-sqs/send",
			body: `{"sqs_secret":{"aws_region":"us-east-1","queue_url":"https://sqs.us-east-1.amazonaws.com/1/q",` +
				`"access_key_id":"AK","secret_access_key":"aws-secret"},"dataList":[{"variable":"t","value":1}],"batch_enabled":true}`,
			result: ok,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Services.SendSQS(ctx, SQSRequest{Data: []Data{{Variable: "t", Value: 1}},
					Credentials: AWSCredentials{Region: "us-east-1", QueueURL: "https://sqs.us-east-1.amazonaws.com/1/q", AccessKeyID: "AK", SecretAccessKey: "aws-secret"}}))
			},
		},
	})
	// The PDF service reads the token from the plain token header only.
	runOps(t, AnalysisToken(testAnalysisToken), "Token", []opCase{
		{
			name: "PDF on a self-hosted server", method: "POST", path: "/pdf",
			body:   `{"html":"<h1>Report</h1>","options":{"format":"A4","margin":{"top":"1cm"}}}`,
			result: `"` + base64.StdEncoding.EncodeToString([]byte("%PDF-1.4 report")) + `"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Services.GeneratePDF(ctx, PDFRequest{HTML: "<h1>Report</h1>", Options: &PDFOptions{Format: "A4", Margin: &PDFMargin{Top: "1cm"}}})
			},
			want: []byte("%PDF-1.4 report"),
		},
	})
	runOps(t, AuthorizationToken(testAuthorizationKey), "Token", []opCase{{
		name: "TagoTiP command", method: "POST", path: "/tip/cmd",
		body: `{"serial":"mqtt1","protocol":"mqtt","body":"reboot-now"}`, result: `"Command sent"`,
		run: func(ctx context.Context, c *Client) (any, error) {
			return noResult(c.Services.SendTiPCommand(ctx, TiPCommand{Serial: "mqtt1", Protocol: "mqtt", Body: "reboot-now"}))
		},
	}})
}

func TestGeneratePDFUsesThePlatformServiceAndTheTokenHeader(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	c, err := NewClient(AnalysisToken(testAnalysisToken), WithHTTPClient(&http.Client{Transport: mt}), WithRegion(RegionEUW1))
	require.NoError(t, err)
	got := &capture{}
	mt.RegisterResponder("POST", "https://pdf.middleware.tago.io/", func(r *http.Request) (*http.Response, error) {
		got.record(r)
		return httpmock.NewStringResponse(200, `{"status":true,"result":"JVBERi0="}`), nil
	})
	pdf, err := c.Services.GeneratePDF(t.Context(), PDFRequest{URL: "https://example.com/report"})
	require.NoError(t, err)
	assert.Equal(t, "%PDF-", string(pdf))
	req := got.last(t)
	assert.JSONEq(t, `{"url":"https://example.com/report"}`, string(req.Body))
	assert.Equal(t, testAnalysisToken, req.Header.Get("Token"))
	assert.Empty(t, req.Header.Values("Analysis-Token"), "the token goes in one header only")
}

func TestServicesNeedAnAnalysisToken(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	err := c.Services.SendSMS(t.Context(), SMSRequest{To: "+1", Message: "x"})
	assert.ErrorIs(t, err, ErrTokenKind)
	assert.EqualError(t, err, "tago: wrong token kind: POST /analysis/services/sms/send needs an analysis token; the client holds an account token")
	_, err = c.Services.Current(t.Context())
	assert.ErrorIs(t, err, ErrTokenKind)
	err = c.Services.SendTiPCommand(t.Context(), TiPCommand{Serial: "s", Protocol: "mqtt", Body: "b"})
	assert.ErrorIs(t, err, ErrTokenKind)
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestServicesBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AnalysisToken(testAnalysisToken))
	ctx := t.Context()
	email := EmailRequest{To: []string{"a@example.com"}, Subject: "S", Message: "M"}
	tests := []struct {
		field string
		err   error
	}{
		{"to", c.Services.SendEmail(ctx, EmailRequest{Subject: "S", Message: "M"})},
		{"to[1]", c.Services.SendEmail(ctx, EmailRequest{To: []string{"a@example.com", "nobody"}, Subject: "S", Message: "M"})},
		{"to[0]", c.Services.SendEmailSMTP(ctx, SMTPEmailRequest{EmailRequest: EmailRequest{To: []string{"a@x.com,b@x.com"}, Subject: "S", Message: "M"}, SecretJSON: "{}"})},
		{"html", c.Services.SendEmail(ctx, EmailRequest{To: []string{"a@example.com"}, Subject: "S", Message: "M", HTML: "<p>"})},
		{"subject", c.Services.SendEmail(ctx, EmailRequest{To: []string{"a@example.com"}, Message: "M"})},
		{"message", c.Services.SendEmail(ctx, EmailRequest{To: []string{"a@example.com"}, Subject: "S"})},
		{"template.name", c.Services.SendEmail(ctx, EmailRequest{To: []string{"a@example.com"}, Template: &EmailTemplate{}})},
		{"template.params.x", c.Services.SendEmail(ctx, EmailRequest{To: []string{"a@example.com"}, Template: &EmailTemplate{Name: "t", Params: map[string]any{"x": []int{1}}}})},
		{"attachment.filename", c.Services.SendEmail(ctx, EmailRequest{To: []string{"a@example.com"}, Subject: "S", Message: "M", Attachment: &EmailAttachment{}})},
		{"credentials", c.Services.SendEmailSMTP(ctx, SMTPEmailRequest{EmailRequest: email})},
		{"credentials", c.Services.SendEmailSMTP(ctx, SMTPEmailRequest{EmailRequest: email, SecretJSON: "{}", Credentials: SMTPCredentials{Server: "s"}})},
		{"credentials.smtp_port", c.Services.SendEmailSMTP(ctx, SMTPEmailRequest{EmailRequest: email, Credentials: SMTPCredentials{Server: "s"}})},
		{"secret JSON", c.Services.SendEmailSMTP(ctx, SMTPEmailRequest{EmailRequest: email, SecretJSON: "not json"})},
		{"api key", c.Services.SendEmailSendGrid(ctx, SendGridEmailRequest{EmailRequest: email})},
		{"to", c.Services.SendSMS(ctx, SMSRequest{Message: "x"})},
		{"message", c.Services.SendSMS(ctx, SMSRequest{To: "+1"})},
		{"twilio_token", c.Services.SendSMSTwilio(ctx, TwilioSMSRequest{To: "+1", Message: "x", TwilioAccount: TwilioAccount{From: "+2", SID: "AC"}})},
		{"message", c.Services.SendWhatsApp(ctx, WhatsAppRequest{To: "+1", TwilioAccount: TwilioAccount{From: "+2", SID: "AC", AuthToken: "t"}})},
		{"content_type", c.Services.SendWhatsApp(ctx, WhatsAppRequest{To: "+1", Message: "m", Attachment: &EmailAttachment{Filename: "f"}, TwilioAccount: TwilioAccount{From: "+2", SID: "AC", AuthToken: "t"}})},
		{"content_sid", c.Services.SendWhatsApp(ctx, WhatsAppRequest{To: "+1", Message: "m", ContentSID: "HX", TwilioAccount: TwilioAccount{From: "+2", SID: "AC", AuthToken: "t"}})},
		{"title", c.Services.Notify(ctx, NotificationSendRequest{NotificationCreateRequest: NotificationCreateRequest{Message: "m"}})},
		{"ref_id", c.Services.Notify(ctx, NotificationSendRequest{RefID: "nope", NotificationCreateRequest: NotificationCreateRequest{Title: "t", Message: "m"}})},
		{"buttons[0].label", c.Services.Notify(ctx, NotificationSendRequest{NotificationCreateRequest: NotificationCreateRequest{Title: "t", Message: "m", Buttons: []NotificationButton{{ID: "x"}}}})},
		{"device", c.Services.PublishMQTT(ctx, MQTTPublishRequest{Device: "x", Topic: "t"})},
		{"topic", c.Services.PublishMQTT(ctx, MQTTPublishRequest{Device: resDeviceID})},
		{"qos", c.Services.PublishMQTT(ctx, MQTTPublishRequest{Device: resDeviceID, Topic: "t", QoS: 3})},
		{"data", c.Services.SendSQS(ctx, SQSRequest{SecretJSON: "{}"})},
		{"points[0].variable", c.Services.SendSQS(ctx, SQSRequest{SecretJSON: "{}", Data: []Data{{Value: 1}}})},
		{"credentials.queue_url", c.Services.SendSQS(ctx, SQSRequest{Data: []Data{{Variable: "v"}}, Credentials: AWSCredentials{Region: "r", QueueURL: "ftp://q", AccessKeyID: "a", SecretAccessKey: "s"}})},
		{"serial", c.Services.SendTiPCommand(ctx, TiPCommand{Protocol: "mqtt", Body: "b"})},
	}
	_, err := c.Services.UploadAttachment(ctx, AttachmentUploadRequest{Name: "f"})
	tests = append(tests, struct {
		field string
		err   error
	}{"type", err})
	for _, pdf := range []struct {
		field string
		req   PDFRequest
	}{
		{"html", PDFRequest{}},
		{"url", PDFRequest{HTML: "h", URL: "https://x"}},
		{"url", PDFRequest{URL: "file:///etc/passwd"}},
		{"options.scale", PDFRequest{HTML: "h", Options: &PDFOptions{Scale: 3}}},
	} {
		_, err := c.Services.GeneratePDF(ctx, pdf.req)
		tests = append(tests, struct {
			field string
			err   error
		}{pdf.field, err})
	}
	for i, tt := range tests {
		var in *InputError
		if assert.ErrorAs(t, tt.err, &in, "case %d", i) {
			assert.Equal(t, tt.field, in.Field, "case %d: %v", i, tt.err)
		}
	}
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestServiceCredentialsNeverInErrors(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AnalysisToken(testAnalysisToken))
	// A platform that echoes what it was sent in its error message.
	mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		body := make([]byte, r.ContentLength)
		_, _ = r.Body.Read(body)
		msg := strings.ReplaceAll(string(body), `"`, `'`)
		return httpmock.NewStringResponse(400, `{"status":false,"message":"rejected `+msg+`"}`), nil
	})
	email := EmailRequest{To: []string{"a@example.com"}, Subject: "S", Message: "M"}
	errs := []error{
		c.Services.SendEmailSMTP(t.Context(), SMTPEmailRequest{EmailRequest: email, Credentials: SMTPCredentials{Server: "s", Port: 25, Username: "u", Password: "smtp-password-1"}}),
		c.Services.SendEmailSendGrid(t.Context(), SendGridEmailRequest{EmailRequest: email, APIKey: "SG.sendgrid-key-1"}),
		c.Services.SendSMSTwilio(t.Context(), TwilioSMSRequest{To: "+1", Message: "m", TwilioAccount: TwilioAccount{From: "+2", SID: "AC", AuthToken: "twilio-token-1"}}),
		c.Services.SendSQS(t.Context(), SQSRequest{Data: []Data{{Variable: "v"}}, Credentials: AWSCredentials{Region: "r", QueueURL: "https://q.example", AccessKeyID: "a", SecretAccessKey: "aws-secret-1"}}),
	}
	for i, err := range errs {
		require.ErrorIs(t, err, ErrBadRequest, "case %d", i)
		assert.Contains(t, err.Error(), "[redacted]", "case %d", i)
		for _, secret := range []string{"smtp-password-1", "SG.sendgrid-key-1", "twilio-token-1", "aws-secret-1"} {
			assert.NotContains(t, err.Error(), secret, "case %d", i)
		}
	}
}
