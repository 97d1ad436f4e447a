// oidc-provider ships no type declarations; this types only the part test/support/oidc-server.ts uses.
declare module 'oidc-provider' {
  import type {IncomingMessage, ServerResponse} from 'node:http'

  export interface ClientMetadata {
    client_id: string
    client_secret?: string
    redirect_uris: string[]
    application_type?: 'web' | 'native'
    grant_types?: string[]
    response_types?: string[]
    token_endpoint_auth_method?: string
    [key: string]: unknown
  }

  export interface Configuration {
    clients?: ClientMetadata[]
    [key: string]: unknown
  }

  export default class Provider {
    constructor(issuer: string, configuration?: Configuration)
    callback(): (request: IncomingMessage, response: ServerResponse) => void
    on(event: string, listener: (...args: unknown[]) => void): this
  }
}
