// A throwaway self-signed certificate for 127.0.0.1, for TLS servers in tests and in `npm run bench --
// --latency`. Made by the openssl command, which Node cannot replace: undefined where it is missing.
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

export interface Certificate {
  key: Buffer
  cert: Buffer
  /** The certificate's file, for NODE_EXTRA_CA_CERTS of a process that must trust it. */
  certFile: string
}

export function loopbackCertificate(dir: string): Certificate | undefined {
  const [keyFile, certFile] = [join(dir, 'key.pem'), join(dir, 'cert.pem')]
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1']
        .concat(['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'])
        .concat(['-keyout', keyFile, '-out', certFile]),
      {stdio: 'ignore'},
    )
  } catch {
    return undefined
  }

  return {key: readFileSync(keyFile), cert: readFileSync(certFile), certFile}
}
