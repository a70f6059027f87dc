package tago

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"math"
	"strings"
	"time"
)

// BillingService reads and changes the account's plan, services, payment method,
// billing information and resource allocation among its profiles (account token of the
// account's owner). Changes that cost money (a new subscription, retrying a payment)
// are never repeated once the platform may have seen them.
type BillingService service

// cl returns the service's client, or nil for a nil service.
func (s *BillingService) cl() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

// Plan is a TagoIO plan.
type Plan string

// The plans.
const (
	PlanFree    Plan = "free"
	PlanStarter Plan = "starter"
	PlanScale   Plan = "scale"
)

// Service names a metered service of a plan: "input", "output", "analysis",
// "data_records", "sms", "email", "run_users", "push_notification", "file_storage".
type Service string

// The metered services.
const (
	ServiceInput            Service = "input"
	ServiceOutput           Service = "output"
	ServiceAnalysis         Service = "analysis"
	ServiceDataRecords      Service = "data_records"
	ServiceSMS              Service = "sms"
	ServiceEmail            Service = "email"
	ServiceRunUsers         Service = "run_users"
	ServicePushNotification Service = "push_notification"
	ServiceFileStorage      Service = "file_storage"
)

// ServiceLimit is a service's contracted amount.
type ServiceLimit struct {
	// Limit is the amount per billing cycle.
	Limit float64 `json:"limit"`
	// ProportionalChange is, in a scheduled change, the prorated difference.
	ProportionalChange *float64 `json:"proportional_change,omitempty"`
}

// Subscription is the account's current plan and services.
type Subscription struct {
	// Account is the account's ID.
	Account string `json:"account"`
	// Plan is the account's plan.
	Plan Plan `json:"plan"`
	// Services are the contracted amounts per service.
	Services map[Service]ServiceLimit `json:"services"`
	// AddOns list, per add-on, the IDs of the profiles it is bought for.
	AddOns map[AddOn][]string `json:"addons"`
	// CurrentCycle is the billing cycle in progress.
	CurrentCycle struct {
		// Start is when the cycle began.
		Start time.Time `json:"start"`
		// End is when it ends.
		End time.Time `json:"end"`
	} `json:"current_cycle"`
	// Processing says whether a change is being processed.
	Processing bool `json:"processing"`
	// PaymentError is the last payment's failure, if any.
	PaymentError *PaymentError `json:"payment_error,omitempty"`
	// PastDue describes an overdue invoice, if any.
	PastDue *PastDue `json:"past_due,omitempty"`
	// UpcomingInvoiceTotal is the next invoice's total.
	UpcomingInvoiceTotal float64 `json:"upcoming_invoice_total"`
	// TrialEnd is when the trial ends; zero without one.
	TrialEnd time.Time `json:"trial_end,omitzero"`
}

// PaymentError is a payment's failure.
type PaymentError struct {
	// Message says what failed.
	Message string `json:"message"`
	// Details says more.
	Details string `json:"details"`
}

// PastDue describes an overdue invoice.
type PastDue struct {
	// AmountDue is what is owed.
	AmountDue float64 `json:"amount_due"`
	// AttemptCount is how many payment attempts failed.
	AttemptCount int `json:"attempt_count"`
	// InvoiceURL is the invoice's address.
	InvoiceURL string `json:"invoice_url"`
}

// SubscriptionEditRequest changes the subscription; empty fields are left unchanged.
type SubscriptionEditRequest struct {
	// Plan is the new plan.
	Plan Plan `json:"plan,omitempty"`
	// Services set the given services' amounts.
	Services map[Service]ServiceLimit `json:"services,omitzero"`
	// AddOns set, per add-on, the profiles it is bought for.
	AddOns map[AddOn][]string `json:"addons,omitzero"`
	// Coupon is a promo code to apply.
	Coupon string `json:"coupon,omitempty"`
}

// Subscription returns the account's subscription.
//
// TagoIO API: GET /account/subscription
func (s *BillingService) Subscription(ctx context.Context) (Subscription, error) {
	return do[Subscription](ctx, s.cl(), &call{method: "GET", path: "/account/subscription", kinds: accountOnly})
}

// EditSubscription changes the plan, services or add-ons; the platform bills or
// schedules the change.
//
// TagoIO API: POST /account/subscription
func (s *BillingService) EditSubscription(ctx context.Context, req SubscriptionEditRequest) error {
	switch req.Plan {
	case "", PlanFree, PlanStarter, PlanScale:
	default:
		return invalidf("plan", "unknown plan %q (want free, starter or scale)", string(req.Plan))
	}
	if req.Plan == "" && req.Services == nil && req.AddOns == nil && req.Coupon == "" {
		return invalidf("subscription edit", "changes nothing")
	}
	for svc, l := range req.Services {
		if err := checkAmount("services."+string(svc)+".limit", l.Limit); err != nil {
			return err
		}
	}
	for addon, profiles := range req.AddOns {
		for i, p := range profiles {
			if err := checkID(fmt.Sprintf("addons.%s[%d]", addon, i), p); err != nil {
				return err
			}
		}
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: "/account/subscription", body: req, kinds: accountOnly})
}

// ActivePlan returns the account's plan as the platform's older plan route reports it,
// which answers the plan's name only; [BillingService.Subscription] gives the plan with
// its services and billing cycle.
//
// TagoIO API: GET /account/plan
func (s *BillingService) ActivePlan(ctx context.Context) (Plan, error) {
	r, err := do[struct {
		Plan Plan `json:"plan"`
	}](ctx, s.cl(), &call{method: "GET", path: "/account/plan", kinds: accountOnly})
	return r.Plan, err
}

// PlanEditRequest sets the plan and the amounts of its services through the older plan
// route; nil amounts are left unchanged.
type PlanEditRequest struct {
	// Plan is the new plan; required.
	Plan Plan `json:"plan"`
	// SMS is the text messages per billing cycle.
	SMS *float64 `json:"sms,omitempty"`
	// Email is the e-mails per billing cycle.
	Email *float64 `json:"email,omitempty"`
	// DataRecords is the data records the account may store.
	DataRecords *float64 `json:"data_records,omitempty"`
	// DeviceRequest is the device requests per billing cycle.
	DeviceRequest *float64 `json:"device_request,omitempty"`
	// Analysis is the analysis time per billing cycle.
	Analysis *float64 `json:"analysis,omitempty"`
}

// EditPlan sets the plan and its services through the platform's older plan route, as
// the official SDK's Plan module does; [BillingService.EditSubscription] is the current
// way. Like every change that costs money, it is never repeated once the platform may
// have seen it.
//
// TagoIO API: POST /account/plan/
func (s *BillingService) EditPlan(ctx context.Context, req PlanEditRequest) error {
	switch req.Plan {
	case PlanFree, PlanStarter, PlanScale:
	case "":
		return invalidf("plan", "must not be empty")
	default:
		return invalidf("plan", "unknown plan %q (want free, starter or scale)", string(req.Plan))
	}
	for _, f := range []struct {
		name string
		v    *float64
	}{{"sms", req.SMS}, {"email", req.Email}, {"data_records", req.DataRecords}, {"device_request", req.DeviceRequest}, {"analysis", req.Analysis}} {
		if f.v != nil {
			if err := checkAmount(f.name, *f.v); err != nil {
				return err
			}
		}
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: "/account/plan/", body: req, kinds: accountOnly})
}

// checkAmount checks an amount of a service: a finite number, not below zero.
func checkAmount(field string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return invalidf(field, "must be a finite number, got %v", v)
	}
	if v < 0 {
		return invalidf(field, "must not be negative, got %v", v)
	}
	return nil
}

// SubscriptionSchedule is a change scheduled for the end of the billing cycle.
type SubscriptionSchedule struct {
	// Account is the account's ID.
	Account string `json:"account"`
	// ReleaseAt is when the change takes effect; zero when none is scheduled.
	ReleaseAt time.Time `json:"release_at,omitzero"`
	// Subscription is the subscription after the change, if one is scheduled.
	Subscription *struct {
		// Plan is the plan after the change.
		Plan Plan `json:"plan,omitempty"`
		// Services are the amounts after the change.
		Services map[Service]ServiceLimit `json:"services,omitempty"`
		// AddOns are the add-ons after the change.
		AddOns map[AddOn][]string `json:"addons,omitempty"`
	} `json:"subscription,omitempty"`
}

// SubscriptionSchedule returns the change scheduled for the end of the cycle.
//
// TagoIO API: GET /account/subscription/schedule
func (s *BillingService) SubscriptionSchedule(ctx context.Context) (SubscriptionSchedule, error) {
	return do[SubscriptionSchedule](ctx, s.cl(), &call{method: "GET", path: "/account/subscription/schedule", kinds: accountOnly})
}

// CancelDowngrade cancels a scheduled downgrade.
//
// TagoIO API: DELETE /account/subscription/schedule
func (s *BillingService) CancelDowngrade(ctx context.Context) error {
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/account/subscription/schedule", kinds: accountOnly})
}

// SubscriptionSummary is the short state of the subscription.
type SubscriptionSummary struct {
	// Processing says whether a change is being processed.
	Processing bool `json:"processing"`
	// PaymentError is the last payment's failure, if any.
	PaymentError *PaymentError `json:"payment_error"`
	// PastDue says whether an invoice is overdue.
	PastDue bool `json:"past_due"`
	// NotEnoughBalance says whether the balance cannot pay the next invoice.
	NotEnoughBalance bool `json:"not_enough_balance"`
	// Schedule says whether a change is scheduled.
	Schedule bool `json:"schedule"`
}

// SubscriptionSummary returns the short state of the subscription; nil when the
// account has none. The platform caches it.
//
// TagoIO API: GET /account/subscription/summary
func (s *BillingService) SubscriptionSummary(ctx context.Context) (*SubscriptionSummary, error) {
	return do[*SubscriptionSummary](ctx, s.cl(), &call{method: "GET", path: "/account/subscription/summary", kinds: accountOnly})
}

// RetryLastPayment tries the failed last payment again.
//
// TagoIO API: POST /account/subscription/pending/retry
func (s *BillingService) RetryLastPayment(ctx context.Context) error {
	return exec(ctx, s.cl(), &call{method: "POST", path: "/account/subscription/pending/retry", kinds: accountOnly})
}

// CancelLastOperation cancels the pending change whose payment failed.
//
// TagoIO API: POST /account/subscription/pending/cancel
func (s *BillingService) CancelLastOperation(ctx context.Context) error {
	return exec(ctx, s.cl(), &call{method: "POST", path: "/account/subscription/pending/cancel", kinds: accountOnly})
}

// Coupon is a discount coupon.
type Coupon struct {
	// Code is the promo code.
	Code string `json:"code"`
	// AmountOff is the fixed discount, if it is one.
	AmountOff *float64 `json:"amount_off"`
	// PercentageOff is the percentage discount, if it is one.
	PercentageOff *float64 `json:"percentage_off"`
	// AppliesTo lists the plans, services and add-ons it applies to; nil for all.
	AppliesTo []string `json:"applies_to"`
	// Restrictions limit who may use it.
	Restrictions *struct {
		// OnlyFirstTime limits it to new subscriptions.
		OnlyFirstTime bool `json:"only_first_time"`
		// MinimumOrderValue is the smallest order it applies to.
		MinimumOrderValue *float64 `json:"minimum_order_value"`
	} `json:"restrictions,omitempty"`
	// DurationCycles is how many cycles it lasts: a number, "forever" or "once", as
	// the platform sends it.
	DurationCycles json.RawMessage `json:"duration_cycles"`
}

// CheckCoupon returns the coupon with the given promo code; an invalid code is an
// error from the platform.
//
// TagoIO API: GET /account/subscription/coupon/{code}
func (s *BillingService) CheckCoupon(ctx context.Context, code string) (Coupon, error) {
	if err := checkSegment("coupon code", strings.TrimSpace(code)); err != nil {
		return Coupon{}, err
	}
	return do[Coupon](ctx, s.cl(), &call{method: "GET", path: "/account/subscription/coupon/" + escape(code), kinds: accountOnly})
}

// Prices are the platform's prices: per plan, per add-on and, per service, by amount.
type Prices struct {
	// Plans are the plans' prices.
	Plans []NamedPrice `json:"plans"`
	// AddOns are the add-ons' prices.
	AddOns []NamedPrice `json:"addons"`
	// Services are, per service, the price of each amount on offer.
	Services map[Service][]ServicePrice `json:"-"`
}

// NamedPrice is the price of a plan or an add-on.
type NamedPrice struct {
	// Name is the plan or add-on.
	Name string `json:"name"`
	// Price is its price.
	Price float64 `json:"price"`
}

// ServicePrice is the price of one amount of a service.
type ServicePrice struct {
	// Amount is the amount.
	Amount float64 `json:"amount"`
	// Price is its price.
	Price float64 `json:"price"`
}

// UnmarshalJSON reads the platform's price list, whose services are top-level keys
// beside "plans" and "addons".
func (p *Prices) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*p = Prices{Services: map[Service][]ServicePrice{}}
	for k, v := range raw {
		var err error
		switch k {
		case "plans":
			err = json.Unmarshal(v, &p.Plans)
		case "addons":
			err = json.Unmarshal(v, &p.AddOns)
		default:
			var sp []ServicePrice
			if err = json.Unmarshal(v, &sp); err == nil {
				p.Services[Service(k)] = sp
			}
		}
		if err != nil {
			return fmt.Errorf("prices.%s: %w", k, err)
		}
	}
	return nil
}

// Prices returns the platform's prices.
//
// TagoIO API: GET /pricing
func (s *BillingService) Prices(ctx context.Context) (Prices, error) {
	return do[Prices](ctx, s.cl(), &call{method: "GET", path: "/pricing", kinds: accountOnly})
}

// ProratedPrices returns the prices prorated to what is left of the billing cycle.
//
// TagoIO API: GET /pricing/prorated
func (s *BillingService) ProratedPrices(ctx context.Context) (Prices, error) {
	return do[Prices](ctx, s.cl(), &call{method: "GET", path: "/pricing/prorated", kinds: accountOnly})
}

// PaymentMethod is the account's card, balance and coupon.
type PaymentMethod struct {
	// Card is the account's card; nil without one.
	Card *struct {
		// Name is the card holder's name.
		Name string `json:"name"`
		// Brand is the card's brand.
		Brand string `json:"brand"`
		// Last4 are the card number's last four digits.
		Last4 string `json:"last4"`
		// Funding is "credit", "debit", ...
		Funding string `json:"funding"`
		// ExpMonth is the expiry month.
		ExpMonth int `json:"exp_month"`
		// ExpYear is the expiry year.
		ExpYear int `json:"exp_year"`
	} `json:"card"`
	// Balance is the account's credit.
	Balance *struct {
		// Amount is the credit.
		Amount float64 `json:"amount"`
		// Currency is its currency.
		Currency string `json:"currency"`
	} `json:"balance,omitempty"`
	// Coupon is the coupon in use, if any.
	Coupon *Coupon `json:"coupon,omitempty"`
}

// PaymentMethod returns the account's payment method.
//
// TagoIO API: GET /account/payment_method
func (s *BillingService) PaymentMethod(ctx context.Context) (PaymentMethod, error) {
	return do[PaymentMethod](ctx, s.cl(), &call{method: "GET", path: "/account/payment_method", kinds: accountOnly})
}

// EditPaymentMethod sets the account's card from a Stripe card token.
//
// TagoIO API: POST /account/payment_method
func (s *BillingService) EditPaymentMethod(ctx context.Context, stripeCardToken Secret) error {
	if stripeCardToken == "" {
		return invalidf("card token", "must not be empty")
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: "/account/payment_method",
		body: map[string]Secret{"token": stripeCardToken}, kinds: accountOnly})
}

// RemovePaymentMethod removes the account's card.
//
// TagoIO API: DELETE /account/payment_method
func (s *BillingService) RemovePaymentMethod(ctx context.Context) error {
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/account/payment_method", kinds: accountOnly})
}

// BillingInformation is the account's billing address.
type BillingInformation struct {
	// Account is the account's ID.
	Account string `json:"account,omitempty"`
	// Company is the billed company.
	Company string `json:"company"`
	// Country is the country.
	Country string `json:"country,omitempty"`
	// State is the state.
	State string `json:"state,omitempty"`
	// City is the city.
	City string `json:"city,omitempty"`
	// Street is the street address.
	Street string `json:"street,omitempty"`
	// ZipCode is the postal code.
	ZipCode string `json:"zip_code,omitempty"`
	// Comments are notes for the invoice.
	Comments string `json:"comments,omitempty"`
	// PaymentMethod is the account's payment method, when the platform includes it.
	PaymentMethod *PaymentMethod `json:"payment_method,omitempty"`
	// UpdatedAt is when it was last changed.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// BillingInformationEditRequest changes the billing address; nil fields are left
// unchanged.
type BillingInformationEditRequest struct {
	// Company is the billed company.
	Company *string `json:"company,omitempty"`
	// Country is the country.
	Country *string `json:"country,omitempty"`
	// State is the state.
	State *string `json:"state,omitempty"`
	// City is the city.
	City *string `json:"city,omitempty"`
	// Street is the street address.
	Street *string `json:"street,omitempty"`
	// ZipCode is the postal code.
	ZipCode *string `json:"zip_code,omitempty"`
	// Comments are notes for the invoice.
	Comments *string `json:"comments,omitempty"`
}

// Information returns the account's billing information.
//
// TagoIO API: GET /account/billing
func (s *BillingService) Information(ctx context.Context) (BillingInformation, error) {
	return do[BillingInformation](ctx, s.cl(), &call{method: "GET", path: "/account/billing", kinds: accountOnly})
}

// EditInformation changes the account's billing information.
//
// TagoIO API: PUT /account/billing
func (s *BillingService) EditInformation(ctx context.Context, req BillingInformationEditRequest) error {
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/account/billing", body: req, kinds: accountOnly})
}

// Allocation is how much of each service one profile of the account may use.
type Allocation struct {
	// Profile is the profile's ID.
	Profile string `json:"profile"`
	// Services are the profile's amounts per service.
	Services map[Service]float64 `json:"-"`
	// UpdatedAt is when the allocation last changed.
	UpdatedAt time.Time `json:"-"`
}

// UnmarshalJSON reads an allocation, whose services are top-level keys beside
// "profile" and "updated_at".
func (a *Allocation) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*a = Allocation{Services: map[Service]float64{}}
	for k, v := range raw {
		var err error
		switch k {
		case "profile":
			err = json.Unmarshal(v, &a.Profile)
		case "updated_at":
			if string(v) != "null" {
				err = json.Unmarshal(v, &a.UpdatedAt)
			}
		default:
			var n float64
			if err = json.Unmarshal(v, &n); err == nil {
				a.Services[Service(k)] = n
			}
		}
		if err != nil {
			return fmt.Errorf("allocation.%s: %w", k, err)
		}
	}
	return nil
}

// MarshalJSON writes an allocation as the platform takes it: the profile and its
// services as top-level keys.
func (a Allocation) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(a.Services)+1)
	for k, v := range a.Services {
		m[string(k)] = v
	}
	m["profile"] = a.Profile
	return json.Marshal(m)
}

// Allocation returns how the account's services are allocated among its profiles.
//
// TagoIO API: GET /account/allocation
func (s *BillingService) Allocation(ctx context.Context) ([]Allocation, error) {
	return do[[]Allocation](ctx, s.cl(), &call{method: "GET", path: "/account/allocation", kinds: accountOnly})
}

// EditAllocation sets the given profiles' amounts; UpdatedAt is ignored.
//
// TagoIO API: POST /account/allocation
func (s *BillingService) EditAllocation(ctx context.Context, allocations ...Allocation) error {
	if len(allocations) == 0 {
		return invalidf("allocations", "must not be empty")
	}
	for i, a := range allocations {
		if err := checkID(fmt.Sprintf("allocations[%d].profile", i), a.Profile); err != nil {
			return err
		}
		for svc, n := range a.Services {
			if err := checkAmount(fmt.Sprintf("allocations[%d].%s", i, svc), n); err != nil {
				return err
			}
		}
	}
	return exec(ctx, s.cl(), &call{method: "POST", path: "/account/allocation", body: allocations, kinds: accountOnly})
}

// Payment is one entry of the account's payment history.
type Payment struct {
	// StripeID is the payment's ID at the payment processor.
	StripeID string `json:"stripe_id"`
	// InvoiceNumber is the invoice's number, if there is one.
	InvoiceNumber string `json:"invoice_number,omitempty"`
	// Total is the amount paid.
	Total float64 `json:"total"`
	// Currency is its currency.
	Currency string `json:"currency"`
	// ReceiptURL is the receipt's address, if there is one.
	ReceiptURL string `json:"receipt_url,omitempty"`
	// Paid says whether it was paid.
	Paid bool `json:"paid"`
	// Status is the payment's state.
	Status string `json:"status"`
	// Card is the card used, if any.
	Card *struct {
		// Brand is the card's brand.
		Brand string `json:"brand"`
		// Last4 are the card number's last four digits.
		Last4 string `json:"last4"`
	} `json:"card"`
	// CreatedAt is when the payment was made.
	CreatedAt time.Time `json:"created_at,omitzero"`
}

// defaultPaymentPage is the official SDK's page size for the payment history.
const defaultPaymentPage = 10

// PaymentHistory returns up to amount payments (0 means 10), newest first, after the
// one whose StripeID is afterID (empty for the newest).
//
// TagoIO API: GET /account/payment_history
func (s *BillingService) PaymentHistory(ctx context.Context, amount int, afterID string) ([]Payment, error) {
	if amount < 0 {
		return nil, invalidf("amount", "must not be negative, got %d", amount)
	}
	if amount == 0 {
		amount = defaultPaymentPage
	}
	q := &query{}
	q.addInt("amount", amount)
	q.addString("last_id", afterID)
	return do[[]Payment](ctx, s.cl(), &call{method: "GET", path: "/account/payment_history", query: q, kinds: accountOnly})
}

// AllPaymentHistory returns an iterator over the whole payment history, newest first,
// fetching pages of pageSize (0 means 10) as the caller ranges. A server that answers
// with a page it already sent ends the iteration with an error instead of looping.
//
// TagoIO API: GET /account/payment_history
func (s *BillingService) AllPaymentHistory(ctx context.Context, pageSize int) iter.Seq2[Payment, error] {
	if ctx == nil {
		return errSeq[Payment](invalidf("context", "must not be nil"))
	}
	if pageSize < 0 {
		return errSeq[Payment](invalidf("page size", "must not be negative, got %d", pageSize))
	}
	if pageSize == 0 {
		pageSize = defaultPaymentPage
	}
	return func(yield func(Payment, error) bool) {
		after := ""
		seen := map[string]bool{}
		for {
			if err := ctx.Err(); err != nil {
				yield(Payment{}, err)
				return
			}
			page, err := s.PaymentHistory(ctx, pageSize, after)
			if err != nil {
				yield(Payment{}, err)
				return
			}
			for _, p := range page {
				if p.StripeID == "" || seen[p.StripeID] {
					yield(Payment{}, fmt.Errorf("%w: the payment history repeated or lacked a payment ID (%q); stopping instead of looping", ErrServer, p.StripeID))
					return
				}
				seen[p.StripeID] = true
				if !yield(p, nil) {
					return
				}
			}
			if len(page) < pageSize {
				return
			}
			after = page[len(page)-1].StripeID
		}
	}
}
