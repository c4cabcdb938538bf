import { readFileSync } from 'node:fs';
import express, { type Router } from 'express';

/** The bot's icon, read once at start-up (a 64×64 PNG kept beside this file). */
const ICON = readFileSync(new URL('./bot-icon.png', import.meta.url));

/**
 * GET /bot/icon.png: the icon every dialog names as its `iconURL` unless BOT_ICON_URL points
 * elsewhere (RingCentral requires one: D `adaptive-cards/modal-dialogs.md`).
 */
export function iconRoute(): Router {
  const router = express.Router();
  router.get('/bot/icon.png', (_req, res) => {
    res.set('Content-Type', 'image/png').set('Cache-Control', 'public, max-age=86400').send(ICON);
  });
  return router;
}
