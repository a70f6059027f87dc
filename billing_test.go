package tago

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBillingOperations(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)
	end := time.Date(2024, 4, 4, 5, 6, 7, 0, time.UTC)
	sub := Subscription{Account: resProfileID, Plan: PlanStarter,
		Services: map[Service]ServiceLimit{ServiceInput: {Limit: 1e6}, ServiceSMS: {Limit: 10}},
		AddOns:   map[AddOn][]string{AddOnMobile: {resProfileID}}, UpcomingInvoiceTotal: 49.5,
		PaymentError: &PaymentError{Message: "card declined"}}
	sub.CurrentCycle.Start, sub.CurrentCycle.End = at, end
	accountOps(t, []opCase{
		{
			name: "subscription", method: "GET", path: "/account/subscription",
			result: `{"account":"` + resProfileID + `","plan":"starter","services":{"input":{"limit":1000000},"sms":{"limit":10}},` +
				`"addons":{"mobile":["` + resProfileID + `"]},"current_cycle":{"start":"2024-03-04T05:06:07.000Z","end":"2024-04-04T05:06:07.000Z"},` +
				`"processing":false,"payment_error":{"message":"card declined","details":null},"upcoming_invoice_total":49.5,"trial_end":null}`,
			run:  func(ctx context.Context, c *Client) (any, error) { return c.Billing.Subscription(ctx) },
			want: sub,
		},
		{
			name: "edit subscription", method: "POST", path: "/account/subscription",
			body: `{"plan":"scale","services":{"sms":{"limit":100}},"coupon":"WELCOME"}`, result: `"Subscription updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Billing.EditSubscription(ctx, SubscriptionEditRequest{Plan: PlanScale,
					Services: map[Service]ServiceLimit{ServiceSMS: {Limit: 100}}, Coupon: "WELCOME"}))
			},
		},
		{
			name: "active plan", method: "GET", path: "/account/plan", result: `{"plan":"starter"}`,
			run:  func(ctx context.Context, c *Client) (any, error) { return c.Billing.ActivePlan(ctx) },
			want: PlanStarter,
		},
		{
			name: "edit plan", method: "POST", path: "/account/plan/",
			body: `{"plan":"scale","sms":50,"data_records":0}`, result: `"Plan updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Billing.EditPlan(ctx, PlanEditRequest{Plan: PlanScale, SMS: Ptr(50.0), DataRecords: Ptr(0.0)}))
			},
		},
		{
			name: "schedule", method: "GET", path: "/account/subscription/schedule",
			result: `{"account":"` + resProfileID + `","release_at":null}`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Billing.SubscriptionSchedule(ctx) },
			want:   SubscriptionSchedule{Account: resProfileID},
		},
		{
			name: "cancel downgrade", method: "DELETE", path: "/account/subscription/schedule", result: `"Canceled"`,
			run: func(ctx context.Context, c *Client) (any, error) { return noResult(c.Billing.CancelDowngrade(ctx)) },
		},
		{
			name: "summary", method: "GET", path: "/account/subscription/summary",
			result: `{"processing":true,"payment_error":null,"past_due":false,"not_enough_balance":true,"schedule":false}`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Billing.SubscriptionSummary(ctx) },
			want:   &SubscriptionSummary{Processing: true, NotEnoughBalance: true},
		},
		{
			name: "no summary without a subscription", method: "GET", path: "/account/subscription/summary", result: `null`,
			run:  func(ctx context.Context, c *Client) (any, error) { return c.Billing.SubscriptionSummary(ctx) },
			want: (*SubscriptionSummary)(nil),
		},
		{
			name: "retry last payment", method: "POST", path: "/account/subscription/pending/retry", result: `"Retrying"`,
			run: func(ctx context.Context, c *Client) (any, error) { return noResult(c.Billing.RetryLastPayment(ctx)) },
		},
		{
			name: "cancel last operation", method: "POST", path: "/account/subscription/pending/cancel", result: `"Canceled"`,
			run: func(ctx context.Context, c *Client) (any, error) { return noResult(c.Billing.CancelLastOperation(ctx)) },
		},
		{
			name: "check coupon", method: "GET", path: "/account/subscription/coupon/WELCOME%2010",
			result: `{"code":"WELCOME 10","amount_off":null,"percentage_off":10,"applies_to":["starter","sms"],"duration_cycles":"once"}`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Billing.CheckCoupon(ctx, "WELCOME 10") },
			want: Coupon{Code: "WELCOME 10", PercentageOff: Ptr(10.0), AppliesTo: []string{"starter", "sms"},
				DurationCycles: json.RawMessage(`"once"`)},
		},
		{
			name: "prices", method: "GET", path: "/pricing",
			result: `{"plans":[{"name":"starter","price":49}],"addons":[{"name":"mobile","price":30}],` +
				`"sms":[{"amount":100,"price":5}],"input":[{"amount":1000000,"price":0}]}`,
			run: func(ctx context.Context, c *Client) (any, error) { return c.Billing.Prices(ctx) },
			want: Prices{Plans: []NamedPrice{{Name: "starter", Price: 49}}, AddOns: []NamedPrice{{Name: "mobile", Price: 30}},
				Services: map[Service][]ServicePrice{ServiceSMS: {{Amount: 100, Price: 5}}, ServiceInput: {{Amount: 1e6}}}},
		},
		{
			name: "prorated prices", method: "GET", path: "/pricing/prorated",
			result: `{"plans":[],"addons":[]}`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Billing.ProratedPrices(ctx) },
			want:   Prices{Plans: []NamedPrice{}, AddOns: []NamedPrice{}, Services: map[Service][]ServicePrice{}},
		},
		{
			name: "payment method", method: "GET", path: "/account/payment_method",
			result: `{"card":null,"balance":{"amount":12.5,"currency":"usd"}}`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Billing.PaymentMethod(ctx) },
			want: func() PaymentMethod {
				var pm PaymentMethod
				require.NoError(t, json.Unmarshal([]byte(`{"balance":{"amount":12.5,"currency":"usd"}}`), &pm))
				return pm
			}(),
		},
		{
			name: "edit payment method", method: "POST", path: "/account/payment_method",
			body: `{"token":"tok_visa"}`, result: `"Card saved"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Billing.EditPaymentMethod(ctx, "tok_visa"))
			},
		},
		{
			name: "remove payment method", method: "DELETE", path: "/account/payment_method", result: `"Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) { return noResult(c.Billing.RemovePaymentMethod(ctx)) },
		},
		{
			name: "billing information", method: "GET", path: "/account/billing",
			result: `{"account":"` + resProfileID + `","company":"ACME","country":"BR","state":null,"city":null,"street":null,` +
				`"zip_code":null,"comments":null,"payment_method":null,"updated_at":"2024-03-04T05:06:07.000Z"}`,
			run:  func(ctx context.Context, c *Client) (any, error) { return c.Billing.Information(ctx) },
			want: BillingInformation{Account: resProfileID, Company: "ACME", Country: "BR", UpdatedAt: at},
		},
		{
			name: "edit billing information", method: "PUT", path: "/account/billing",
			body: `{"city":"Recife","zip_code":"50000-000"}`, result: `"Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Billing.EditInformation(ctx, BillingInformationEditRequest{City: Ptr("Recife"), ZipCode: Ptr("50000-000")}))
			},
		},
		{
			name: "allocation", method: "GET", path: "/account/allocation",
			result: `[{"profile":"` + resProfileID + `","input":500000,"sms":5,"updated_at":"2024-03-04T05:06:07.000Z"}]`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Billing.Allocation(ctx) },
			want:   []Allocation{{Profile: resProfileID, Services: map[Service]float64{ServiceInput: 5e5, ServiceSMS: 5}, UpdatedAt: at}},
		},
		{
			name: "edit allocation", method: "POST", path: "/account/allocation",
			body: `[{"profile":"` + resProfileID + `","input":250000}]`, result: `"Allocation updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Billing.EditAllocation(ctx, Allocation{Profile: resProfileID, Services: map[Service]float64{ServiceInput: 25e4}}))
			},
		},
		{
			name: "payment history", method: "GET", path: "/account/payment_history", query: "amount=10",
			result: `[{"stripe_id":"in_1","total":49,"currency":"usd","paid":true,"status":"paid","card":{"brand":"visa","last4":"4242"},"created_at":"2024-03-04T05:06:07.000Z"}]`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Billing.PaymentHistory(ctx, 0, "") },
			want: func() []Payment {
				var p []Payment
				require.NoError(t, json.Unmarshal([]byte(`[{"stripe_id":"in_1","total":49,"currency":"usd","paid":true,"status":"paid","card":{"brand":"visa","last4":"4242"},"created_at":"2024-03-04T05:06:07.000Z"}]`), &p))
				return p
			}(),
		},
		{
			name: "payment history after an entry", method: "GET", path: "/account/payment_history", query: "amount=5&last_id=in_9",
			result: `[]`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Billing.PaymentHistory(ctx, 5, "in_9") },
			want:   []Payment{},
		},
	})
}

func TestBillingAllPaymentHistoryPagesByLastID(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	pages := map[string]string{
		"amount=2":              `[{"stripe_id":"in_5"},{"stripe_id":"in_4"}]`,
		"amount=2&last_id=in_4": `[{"stripe_id":"in_3"},{"stripe_id":"in_2"}]`,
		"amount=2&last_id=in_2": `[{"stripe_id":"in_1"}]`,
	}
	var asked []string
	mt.RegisterResponder("GET", testBaseURL+"/account/payment_history", func(r *http.Request) (*http.Response, error) {
		asked = append(asked, r.URL.RawQuery)
		return httpmock.NewStringResponse(200, `{"status":true,"result":`+pages[r.URL.RawQuery]+`}`), nil
	})
	var ids []string
	for p, err := range c.Billing.AllPaymentHistory(t.Context(), 2) {
		require.NoError(t, err)
		ids = append(ids, p.StripeID)
	}
	assert.Equal(t, []string{"in_5", "in_4", "in_3", "in_2", "in_1"}, ids)
	assert.Equal(t, []string{"amount=2", "amount=2&last_id=in_4", "amount=2&last_id=in_2"}, asked)
}

// TestBillingPaymentHistoryIgnoringLastIDStops checks that a server answering the same
// page whatever last_id says ends the iteration with an error instead of looping.
func TestBillingPaymentHistoryIgnoringLastIDStops(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	mt.RegisterResponder("GET", testBaseURL+"/account/payment_history",
		httpmock.NewStringResponder(200, `{"status":true,"result":[{"stripe_id":"in_2"},{"stripe_id":"in_1"}]}`))
	n := 0
	var last error
	for _, err := range c.Billing.AllPaymentHistory(t.Context(), 2) {
		if err != nil {
			last = err
			break
		}
		n++
	}
	require.Error(t, last)
	assert.Equal(t, 2, n)
	assert.Equal(t, 2, mt.GetTotalCallCount())
}

// TestBillingChargesAreNotReplayed checks that the calls that may cost money are not
// repeated after an answer that may come after the platform processed them.
func TestBillingChargesAreNotReplayed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		path string
		run  func(ctx context.Context, c *Client) error
	}{
		{"/account/subscription", func(ctx context.Context, c *Client) error {
			return c.Billing.EditSubscription(ctx, SubscriptionEditRequest{Plan: PlanScale})
		}},
		{"/account/subscription/pending/retry", func(ctx context.Context, c *Client) error { return c.Billing.RetryLastPayment(ctx) }},
		{"/account/plan/", func(ctx context.Context, c *Client) error {
			return c.Billing.EditPlan(ctx, PlanEditRequest{Plan: PlanStarter})
		}},
	} {
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		got := expectSeq(mt, "POST", tc.path, reply(504, ``), reply(200, `{"status":true,"result":"ok"}`))
		err := tc.run(t.Context(), c)
		require.ErrorIs(t, err, ErrServer, tc.path)
		assert.True(t, MayBeStored(err), tc.path)
		assert.Equal(t, 1, got.count(), tc.path)
	}
}

func TestBillingBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	ctx := t.Context()
	for i, tc := range []struct {
		err   error
		field string
	}{
		{c.Billing.EditSubscription(ctx, SubscriptionEditRequest{Plan: "enterprise"}), "plan"},
		{c.Billing.EditSubscription(ctx, SubscriptionEditRequest{}), "subscription edit"},
		{c.Billing.EditSubscription(ctx, SubscriptionEditRequest{Services: map[Service]ServiceLimit{ServiceSMS: {Limit: -1}}}), "services.sms.limit"},
		{c.Billing.EditSubscription(ctx, SubscriptionEditRequest{AddOns: map[AddOn][]string{AddOnMobile: {"x"}}}), "addons.mobile[0]"},
		{c.Billing.EditSubscription(ctx, SubscriptionEditRequest{Services: map[Service]ServiceLimit{ServiceSMS: {Limit: math.NaN()}}}), "services.sms.limit"},
		{c.Billing.EditPlan(ctx, PlanEditRequest{}), "plan"},
		{c.Billing.EditPlan(ctx, PlanEditRequest{Plan: "gold"}), "plan"},
		{c.Billing.EditPlan(ctx, PlanEditRequest{Plan: PlanStarter, Email: Ptr(-1.0)}), "email"},
		{c.Billing.EditPlan(ctx, PlanEditRequest{Plan: PlanStarter, Analysis: Ptr(math.Inf(1))}), "analysis"},
		{c.Billing.EditPaymentMethod(ctx, ""), "card token"},
		{c.Billing.EditAllocation(ctx), "allocations"},
		{c.Billing.EditAllocation(ctx, Allocation{Profile: "x"}), "allocations[0].profile"},
		{c.Billing.EditAllocation(ctx, Allocation{Profile: resProfileID, Services: map[Service]float64{ServiceSMS: -2}}), "allocations[0].sms"},
		{c.Billing.EditAllocation(ctx, Allocation{Profile: resProfileID, Services: map[Service]float64{ServiceSMS: math.NaN()}}), "allocations[0].sms"},
		{func() error { _, err := c.Billing.CheckCoupon(ctx, " "); return err }(), "coupon code"},
		{func() error { _, err := c.Billing.PaymentHistory(ctx, -1, ""); return err }(), "amount"},
	} {
		require.ErrorIs(t, tc.err, ErrInvalidInput, fmt.Sprint(i))
		var ie *InputError
		require.ErrorAs(t, tc.err, &ie)
		assert.Equal(t, tc.field, ie.Field, fmt.Sprint(i))
	}
	assert.Zero(t, mt.GetTotalCallCount())
}
