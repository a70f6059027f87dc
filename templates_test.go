package tago

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const resTemplateID = "69cc0011223344556677dd04"

func TestTemplatesOperations(t *testing.T) {
	t.Parallel()
	accountOps(t, []opCase{
		{
			name: "generate from a dashboard", method: "POST", path: "/template",
			body:   `{"dashboard":"` + resDashboardID + `","name":"Plant","image_logo":"https://x/l.png","setup":{"devices":1}}`,
			result: `"` + resTemplateID + `"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Templates.Generate(ctx, TemplateGenerateRequest{Dashboard: resDashboardID, Name: "Plant",
					ImageLogo: "https://x/l.png", Setup: json.RawMessage(`{"devices":1}`)})
			},
			want: resTemplateID,
		},
		{
			name: "generate from an analysis", method: "POST", path: "/template",
			body: `{"analysis":"` + resAnalysisID + `","name":"Alerts"}`, result: `"` + resTemplateID + `"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Templates.Generate(ctx, TemplateGenerateRequest{Analysis: resAnalysisID, Name: "Alerts"})
			},
			want: resTemplateID,
		},
		{
			name: "install as it is", method: "POST", path: "/template/" + resTemplateID,
			body: `{}`, result: `{"dashboard":"` + resDashboardID + `"}`,
			run:  func(ctx context.Context, c *Client) (any, error) { return c.Templates.Install(ctx, resTemplateID, nil) },
			want: TemplateInstalled{Dashboard: resDashboardID},
		},
		{
			name: "install a dashboard for a device", method: "POST", path: "/template/" + resTemplateID,
			body: `{"device":{"id":"` + resDeviceID + `","bucket":"` + resDeviceID + `"},"analysis":["` + resAnalysisID + `"],` +
				`"replace":{"label":"North"}}`,
			result: `{"dashboard":"` + resDashboardID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Templates.Install(ctx, resTemplateID, &TemplateInstallRequest{Device: &TemplateDevice{ID: resDeviceID, Bucket: resDeviceID},
					Analyses: []string{resAnalysisID}, Replace: map[string]any{"label": "North"}})
			},
			want: TemplateInstalled{Dashboard: resDashboardID},
		},
		{
			name: "install an analysis", method: "POST", path: "/template/" + resTemplateID,
			body: `{"device_token":"` + resToken + `"}`, result: `{"analysis":"` + resAnalysisID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Templates.Install(ctx, resTemplateID, &TemplateInstallRequest{DeviceToken: Secret(resToken)})
			},
			want: TemplateInstalled{Analysis: resAnalysisID},
		},
		{
			name: "info", method: "GET", path: "/template/" + resTemplateID,
			result: `{"name":"Plant","type":"dashboard","created_at":"2024-03-04T05:06:07.000Z","updated_at":"2024-03-04T05:06:07.000Z"}`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Templates.Info(ctx, resTemplateID) },
			want: Template{Name: "Plant", Type: "dashboard", CreatedAt: time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC),
				UpdatedAt: time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)},
		},
	})
}

func TestTemplateInstallIsNotReplayed(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	got := expectSeq(mt, "POST", "/template/"+resTemplateID, fail(errReset), reply(200, `{"status":true,"result":{}}`))
	_, err := c.Templates.Install(t.Context(), resTemplateID, nil)
	require.Error(t, err)
	assert.True(t, MayBeStored(err))
	assert.Equal(t, 1, got.count())
}

func TestTemplatesBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		run   func(ctx context.Context, c *Client) error
		field string
	}{
		{"neither dashboard nor analysis", func(ctx context.Context, c *Client) error {
			_, err := c.Templates.Generate(ctx, TemplateGenerateRequest{Name: "n"})
			return err
		}, "template"},
		{"both dashboard and analysis", func(ctx context.Context, c *Client) error {
			_, err := c.Templates.Generate(ctx, TemplateGenerateRequest{Name: "n", Dashboard: resDashboardID, Analysis: resAnalysisID})
			return err
		}, "template"},
		{"no name", func(ctx context.Context, c *Client) error {
			_, err := c.Templates.Generate(ctx, TemplateGenerateRequest{Dashboard: resDashboardID})
			return err
		}, "name"},
		{"bad analysis in install", func(ctx context.Context, c *Client) error {
			_, err := c.Templates.Install(ctx, resTemplateID, &TemplateInstallRequest{Analyses: []string{"x"}})
			return err
		}, "analyses[0]"},
		{"bad device in install", func(ctx context.Context, c *Client) error {
			_, err := c.Templates.Install(ctx, resTemplateID, &TemplateInstallRequest{Device: &TemplateDevice{ID: "x"}})
			return err
		}, "device.id"},
		{"bad template ID", func(ctx context.Context, c *Client) error { _, err := c.Templates.Info(ctx, ""); return err }, "template ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
			err := tt.run(t.Context(), c)
			require.ErrorIs(t, err, ErrInvalidInput)
			var ie *InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.field, ie.Field)
			assert.Zero(t, mt.GetTotalCallCount())
		})
	}
}
