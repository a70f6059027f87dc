package tago_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
)

// A TagoRUN user logs in from an end user's app: an anonymous client (no token) for
// the login, then a client with the user's own token for the rest. The run's address
// comes from the run's settings (Run.URL), such as "myapp.run.tago.io".
func ExampleRunUserService_Login() {
	srv, err := tagotest.Start(tagotest.WithSeed(1), tagotest.WithClock(func() time.Time {
		return time.Date(2024, 5, 24, 12, 0, 0, 0, time.UTC)
	}))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()

	// The backend: the run's administrator creates the user.
	admin, err := tago.NewClient(tago.AccountToken(srv.AccountToken()), tago.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	run, err := admin.Run.Info(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := admin.Run.CreateUser(ctx, tago.RunUserCreateRequest{
		Name: "Ana", Email: "ana@example.com", Password: "an4-pass", Timezone: "UTC",
	}); err != nil {
		log.Fatal(err)
	}

	// The app: log in without a token, then act as the user.
	anon, err := tago.NewClient(tago.Anonymous(), tago.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	session, err := anon.RunUser(run.URL).Login(ctx, tago.RunUserLoginRequest{Email: "ana@example.com", Password: "an4-pass"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("token:", session.Token, "expires:", session.ExpireDate)

	user, err := tago.NewClient(tago.RunUserToken(session.Token.Reveal()), tago.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	me, err := user.RunUser(run.URL).Info(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("logged in as", me.Name, me.Email)
	// Output:
	// token: ****08a6 expires: 2024-05-24T20:00:00Z
	// logged in as Ana ana@example.com
}
