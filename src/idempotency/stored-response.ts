/** A final HTTP response exactly as first sent, so a replay can repeat it byte for byte. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}
