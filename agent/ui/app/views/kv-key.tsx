/**
 * agent/ui/app/views/kv-key.tsx: one KV key: value as text or base64, flags, lock holder and
 * indexes, edited with check-and-set (?cas=<ModifyIndex the edit started from>). A change made
 * elsewhere while editing is announced at once (the blocking query sees it) and a save is
 * refused by the server, never silently overwriting it.
 */
import { useEffect, useState } from 'preact/hooks'
import { dcPath, describeError, getJson, send, useBlocking } from '../http.js'
import { Badge, ErrorBanner, Loading, PageHeader } from '../components.js'
import { Link, navigate } from '../router.js'
import { base64ToBytes, bytesToBase64, decodeValue, isValidFlags, leafName, parentFolder, parseKvPairs, type KvPair } from '../../lab/kv.js'
import { encodeBody, kvUrl, type Encoding } from './kv-api.js'

interface Draft { text: string; encoding: Encoding; flags: string; baseIndex: number; dirty: boolean }
interface Message { tone: 'error' | 'ok'; text: string }

function draftOf(pair: KvPair): Draft {
  const decoded = decodeValue(pair.Value)
  return { text: decoded.binary ? pair.Value ?? '' : decoded.text, encoding: decoded.binary ? 'base64' : 'text', flags: pair.Flags, baseIndex: pair.ModifyIndex, dirty: false }
}

function reencode(draft: Draft, encoding: Encoding): Draft | undefined {
  try {
    const text = encoding === 'base64' ? bytesToBase64(new TextEncoder().encode(draft.text)) : new TextDecoder('utf-8', { fatal: true }).decode(base64ToBytes(draft.text))
    return { ...draft, text, encoding }
  } catch {
    return undefined
  }
}

function KvMeta(props: { dc: string; pair: KvPair }) {
  const { pair } = props
  const [holder, setHolder] = useState<{ Node: string; Name: string } | undefined>(undefined)
  useEffect(() => {
    if (!pair.Session) return setHolder(undefined)
    void getJson<{ Node: string; Name: string }[]>(dcPath(`/v1/session/info/${encodeURIComponent(pair.Session)}`, props.dc)).then((r) => setHolder(r.data?.[0]), () => setHolder(undefined))
  }, [pair.Session])
  return (
    <dl class="facts" data-testid="kv-meta">
      <dt>Key</dt><dd><code>{pair.Key}</code></dd>
      <dt>CreateIndex</dt><dd data-testid="create-index">{pair.CreateIndex}</dd>
      <dt>ModifyIndex</dt><dd data-testid="modify-index">{pair.ModifyIndex}</dd>
      <dt>LockIndex</dt><dd>{pair.LockIndex}</dd>
      <dt>Flags</dt><dd><code>{pair.Flags}</code></dd>
      <dt>Lock holder</dt><dd data-testid="lock-holder">{pair.Session ? <>
        <Badge tone="warn">locked</Badge> <code>{pair.Session}</code>
        {holder ? <> by <Link to={{ view: 'node', dc: props.dc, name: holder.Node }}>{holder.Node}</Link>{holder.Name ? ` (${holder.Name})` : ''}</> : null}
      </> : '—'}</dd>
    </dl>
  )
}

function DeleteButton(props: { dc: string; path: string; pair: KvPair; onMessage: (m: Message) => void }) {
  const [confirming, setConfirming] = useState(false)
  const remove = async () => {
    try {
      const deleted = await send<boolean>('DELETE', kvUrl(props.dc, props.path, { cas: props.pair.ModifyIndex }))
      if (deleted) navigate({ view: 'kv', dc: props.dc, path: parentFolder(props.path) })
      else props.onMessage({ tone: 'error', text: `Not deleted: ${props.path} changed meanwhile (CAS failed). Look at the new value first.` })
    } catch (err) {
      props.onMessage({ tone: 'error', text: describeError(err) })
    }
    setConfirming(false)
  }
  if (!confirming) return <button type="button" class="danger" onClick={() => setConfirming(true)}>Delete</button>
  return (
    <span class="confirm" role="group" aria-label="Confirm delete">
      Delete <code>{props.path}</code>? <button type="button" class="danger" onClick={() => void remove()}>Yes, delete</button>{' '}
      <button type="button" onClick={() => setConfirming(false)}>Cancel</button>
    </span>
  )
}

/** KeyEditor shows and edits one key, CAS-safe. */
export function KeyEditor(props: { dc: string; path: string }) {
  const live = useBlocking<KvPair | null>(kvUrl(props.dc, props.path), (text, status) => (status === 404 ? null : parseKvPairs(text)[0] ?? null))
  const pair = live.data
  const [draft, setDraft] = useState<Draft | undefined>(undefined)
  const [message, setMessage] = useState<Message | undefined>(undefined)

  useEffect(() => {
    if (pair && !(draft && draft.dirty)) setDraft(draftOf(pair))
  }, [pair?.ModifyIndex, pair?.Value])

  if (live.loading) return <Loading what="key" />
  if (!pair || !draft) {
    return (
      <>
        <PageHeader title={<span id="kv-title">{leafName(props.path)}</span>} />
        <ErrorBanner error={live.error} />
        <p class="muted" data-testid="kv-missing">No key exists at <code>{props.path}</code>.</p>
      </>
    )
  }
  const switchEncoding = (encoding: Encoding) => {
    if (encoding === draft.encoding) return
    const next = reencode(draft, encoding)
    if (next) setDraft(next)
    else setMessage({ tone: 'error', text: 'This value is not valid UTF-8 text; keep editing it as base64.' })
  }
  const save = async (e: Event) => {
    e.preventDefault()
    if (!isValidFlags(draft.flags)) return setMessage({ tone: 'error', text: 'Flags must be an unsigned 64-bit integer.' })
    try {
      const written = await send<boolean>('PUT', kvUrl(props.dc, props.path, { cas: draft.baseIndex, flags: draft.flags }), encodeBody(draft.text, draft.encoding))
      if (written) {
        setDraft({ ...draft, dirty: false })
        setMessage({ tone: 'ok', text: 'Saved.' })
      } else {
        setMessage({ tone: 'error', text: `Not saved: ${props.path} was changed by someone else since you loaded it (ModifyIndex ${draft.baseIndex} → ${pair.ModifyIndex}). Your edit is kept here; reload the value to see theirs.` })
      }
    } catch (err) {
      setMessage({ tone: 'error', text: describeError(err) })
    }
  }
  const edit = (change: Partial<Draft>) => setDraft({ ...draft, ...change, dirty: true })
  return (
    <>
      <PageHeader title={<span id="kv-title">{leafName(props.path)}</span>}>
        <DeleteButton dc={props.dc} path={props.path} pair={pair} onMessage={setMessage} />
      </PageHeader>
      <ErrorBanner error={live.error} />
      <KvMeta dc={props.dc} pair={pair} />
      {draft.dirty && pair.ModifyIndex !== draft.baseIndex ? (
        <p class="banner banner-warn" role="status">
          Someone else changed this key (ModifyIndex {draft.baseIndex} → {pair.ModifyIndex}) while you were editing. Saving will be refused.{' '}
          <button type="button" onClick={() => { setDraft(draftOf(pair)); setMessage(undefined) }}>Load their value</button>
        </p>
      ) : null}
      {message ? <p class={`banner banner-${message.tone}`} role={message.tone === 'error' ? 'alert' : 'status'} data-testid="kv-message">{message.text}</p> : null}
      <form class="editor" onSubmit={(e) => void save(e)}>
        <label><span>Value ({draft.encoding === 'base64' ? 'base64' : 'text'})</span>
          <textarea name="value" rows={10} value={draft.text} spellcheck={false} onInput={(e) => edit({ text: (e.target as HTMLTextAreaElement).value })} />
        </label>
        <div class="row">
          <fieldset class="segmented">
            <legend>Show value as</legend>
            <label><input type="radio" name="enc" checked={draft.encoding === 'text'} onChange={() => switchEncoding('text')} /> Text</label>
            <label><input type="radio" name="enc" checked={draft.encoding === 'base64'} onChange={() => switchEncoding('base64')} /> Base64</label>
          </fieldset>
          <label><span>Flags</span><input name="flags" inputMode="numeric" value={draft.flags} onInput={(e) => edit({ flags: (e.target as HTMLInputElement).value })} /></label>
        </div>
        <button type="submit" class="primary">Save</button>
      </form>
    </>
  )
}
