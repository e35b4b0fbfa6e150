// GET /keys: the JWKS registries verify tokens with; GET /keys/certificates.pem: the same keys
// as certificates, for a registry's rootCertBundle (CNCF Distribution's `rootcertbundle`).
import express, { type Router } from 'express';
import { certificateBundle, jwks, type SigningKey } from '../../tokens/keys.js';

export function keyRoutes(signingKeys: () => SigningKey[]): Router {
  const router = express.Router();
  router.get('/keys', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').type('application/jwk-set+json').send(JSON.stringify(jwks(signingKeys())));
  });
  router.get('/keys/certificates.pem', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').type('application/x-pem-file').send(certificateBundle(signingKeys()));
  });
  return router;
}
