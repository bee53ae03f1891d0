package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
			"stored in the same database the console reads, so an agent watches them arrive\n" +
			"(the real database unless --sandbox or --db says otherwise). Every refused\n" +
			"request is logged on one line with its status and reason.\n" +
			"Needs WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN (or the flags).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfg.appSecret == "" || cfg.verifyToken == "" {
				return errors.New("the webhook needs the app secret and the verify token (WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN)")
			}
			db, err := cfg.openStore(dbWrite, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			defer db.Close()
			logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
			hook := newWebhookHandler(cfg, db, logger)
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

// newWebhookHandler is the receiver the command serves: contacts into db,
// one log line per saved payload and per refused request.
func newWebhookHandler(cfg *config, db *store.DB, logger *slog.Logger) *whatsapp.Webhook {
	return &whatsapp.Webhook{
		AppSecret: cfg.appSecret, VerifyToken: cfg.verifyToken, Sink: db, Log: logger,
		OnSaved: func(r store.SaveResult) {
			logger.Info("payload saved", "payload", r.PayloadID, "added", r.Added, "updated", r.Updated,
				"removed", r.Removed, "unchanged", r.Unchanged, "duplicate", r.Duplicate)
		},
		// The warnings quote contact data: count them only.
		OnWarning: func(ws []string) { logger.Warn("webhook items skipped", "count", len(ws)) },
	}
}

// serveWebhook serves h at path on ln until ctx ends, then shuts down
// gracefully so a delivery being stored is not cut off.
func serveWebhook(ctx context.Context, ln net.Listener, path string, h http.Handler, logger *slog.Logger) error {
	mux := http.NewServeMux()
	mux.Handle(path, h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	logger.Info("webhook listening", "url", "http://"+ln.Addr().String()+path)
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
