package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"coexsync/store"
	"coexsync/whatsapp"
)

func newWebhookCommand(cfg *config) *cobra.Command {
	var listen, path string
	cmd := &cobra.Command{
		Use:   "webhook",
		Short: "Receive smb_app_state_sync webhooks from Meta into the database",
		Long: "Serves the webhook Meta calls with the Business App contacts: the GET\n" +
			"verification handshake and signed POSTs (X-Hub-Signature-256). Contacts are\n" +
			"stored in the same database the console reads, so an agent watches them arrive.\n" +
			"Needs WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN (or the flags).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfg.appSecret == "" || cfg.verifyToken == "" {
				return errors.New("the webhook needs the app secret and the verify token (WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN)")
			}
			db, err := cfg.openStore()
			if err != nil {
				return err
			}
			defer db.Close()
			logger := log.New(cmd.ErrOrStderr(), "", log.LstdFlags)
			hook := &whatsapp.Webhook{
				AppSecret: cfg.appSecret, VerifyToken: cfg.verifyToken, Sink: db,
				OnSaved: func(r store.SaveResult) {
					logger.Printf("payload %d: %d added, %d updated, %d removed, %d unchanged (duplicate=%t)",
						r.PayloadID, r.Added, r.Updated, r.Removed, r.Unchanged, r.Duplicate)
				},
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return fmt.Errorf("webhook: %w", err)
			}
			return serveWebhook(cmd.Context(), ln, path, hook, logger)
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:8080", "address to listen on (put TLS in front: Meta calls https)")
	cmd.Flags().StringVar(&path, "path", "/webhook", "URL path of the webhook")
	return cmd
}

// serveWebhook serves h at path on ln until ctx ends, then shuts down
// gracefully so a delivery being stored is not cut off.
func serveWebhook(ctx context.Context, ln net.Listener, path string, h http.Handler, logger *log.Logger) error {
	mux := http.NewServeMux()
	mux.Handle(path, h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	logger.Printf("listening on http://%s%s", ln.Addr(), path)
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("webhook: %w", err)
	}
	return nil
}
