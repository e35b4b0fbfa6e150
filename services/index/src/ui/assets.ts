// The UI's stylesheet and script: two files beside the sources, read once at start-up and served
// from memory with their ETag (they change only with a new release).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import express, { type Router } from 'express';

const assetDir = new URL('../../../src/ui/assets/', import.meta.url);
const files = { 'ui.css': 'text/css; charset=utf-8', 'ui.js': 'text/javascript; charset=utf-8' } as const;

export interface UiAsset {
  name: string;
  type: string;
  body: Buffer;
}

export async function loadUiAssets(): Promise<UiAsset[]> {
  return Promise.all(Object.entries(files).map(async ([name, type]) => ({ name, type, body: await readFile(new URL(name, assetDir)) })));
}

export function assetRoutes(assets: UiAsset[]): Router {
  const router = express.Router();
  for (const { name, type, body } of assets) {
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    router.get(`/static/${name}`, (req, res) => {
      res.set({ 'Content-Type': type, ETag: etag, 'Cache-Control': 'public, max-age=300', 'X-Content-Type-Options': 'nosniff' });
      if (req.headers['if-none-match'] === etag) return void res.status(304).end();
      res.send(body);
    });
  }
  return router;
}
