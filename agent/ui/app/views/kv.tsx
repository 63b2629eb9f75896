/**
 * agent/ui/app/views/kv.tsx: the Key/Value browser. A path ending in "/" (or empty) is a folder:
 * its keys and sub-folders (?keys&separator=/), a create form, and a recursive delete. Any other
 * path is a key: its value as text or base64, flags, session holder and indexes, edited with
 * check-and-set (?cas=<ModifyIndex>), so a concurrent change is reported, never overwritten.
 */
import { useEffect, useState } from 'preact/hooks'
import { dcPath, describeError, getJson, send, useBlocking, withParams } from '../http.js'
import { Badge, ErrorBanner, Loading, PageHeader } from '../components.js'
import { Link, navigate } from '../router.js'
import { base64ToBytes, breadcrumbs, bytesToBase64, decodeValue, encodeKeyPath, isValidFlags, leafName, parentFolder, parseKvPairs, type KvPair } from '../../lab/kv.js'

type Encoding = 'text' | 'base64'

function kvUrl(dc: string, key: string, params: Record<string, string | number | undefined> = {}): string {
  return withParams(dcPath(`/v1/kv/${encodeKeyPath(key)}`, dc), params)
}

function encodeBody(text: string, encoding: Encoding): Uint8Array {
  return encoding === 'base64' ? base64ToBytes(text) : new TextEncoder().encode(text)
}

/** KvView shows a folder or a key depending on the path. */
export function KvView(props: { dc: string; path: string }) {
  const isFolder = props.path === '' || props.path.endsWith('/')
  return (
    <section aria-labelledby="kv-title">
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link to={{ view: 'kv', dc: props.dc, path: '' }}>Key/Value</Link> /{' '}
        {breadcrumbs(props.path).map((folder) => <span key={folder}><Link to={{ view: 'kv', dc: props.dc, path: folder }}>{leafName(folder).slice(0, -1)}</Link> / </span>)}
      </nav>
      {isFolder ? <Folder dc={props.dc} path={props.path} /> : <KeyEditor key={props.path} dc={props.dc} path={props.path} />}
    </section>
  )
}

function Folder(props: { dc: string; path: string }) {
  const listing = useBlocking<string[] | null>(kvUrl(props.dc, props.path, { keys: '', separator: '/' }))
  const [confirming, setConfirming] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  const entries = (listing.data ?? []).filter((k) => k !== props.path && k.startsWith(props.path)).sort()
  const deleteFolder = async () => {
    try {
      await send('DELETE', kvUrl(props.dc, props.path, { recurse: '' }))
      navigate({ view: 'kv', dc: props.dc, path: parentFolder(props.path) })
    } catch (e) {
      setError(describeError(e))
    }
  }
  return (
    <>
      <PageHeader title={<span id="kv-title">{props.path === '' ? 'Key/Value' : leafName(props.path)}</span>}>
        {props.path !== '' && !confirming ? <button type="button" class="danger" onClick={() => setConfirming(true)}>Delete folder</button> : null}
        {confirming ? (
          <span class="confirm" role="group" aria-label="Confirm folder delete">
            Delete <code>{props.path}</code> and every key under it?{' '}
            <button type="button" class="danger" onClick={() => void deleteFolder()}>Yes, delete</button>{' '}
            <button type="button" onClick={() => setConfirming(false)}>Cancel</button>
          </span>
        ) : null}
      </PageHeader>
      <ErrorBanner error={listing.error ?? error} />
      {listing.loading ? <Loading what="keys" /> : entries.length === 0 ? <p class="muted">No keys here yet.</p> : (
        <ul class="kv-list" data-testid="kv-list">
          {entries.map((k) => (
            <li key={k} class={k.endsWith('/') ? 'kv-folder' : 'kv-key'}>
              <span aria-hidden="true">{k.endsWith('/') ? '📁' : '🔑'}</span> <Link to={{ view: 'kv', dc: props.dc, path: k }}>{leafName(k)}</Link>
            </li>
          ))}
        </ul>
      )}
      <CreateForm dc={props.dc} folder={props.path} />
    </>
  )
}

function CreateForm(props: { dc: string; folder: string }) {
  const [name, setName] = useState('')
  const [value, setValue] = useState('')
  const [flags, setFlags] = useState('0')
  const [encoding, setEncoding] = useState<Encoding>('text')
  const [error, setError] = useState<string | undefined>(undefined)
  const submit = async (e: Event) => {
    e.preventDefault()
    const key = props.folder + name.trim()
    if (name.trim() === '' || name.startsWith('/')) return setError('Give the key a name (no leading slash).')
    if (!isValidFlags(flags)) return setError('Flags must be an unsigned 64-bit integer.')
    try {
      const folder = key.endsWith('/')
      const body = folder ? new Uint8Array() : encodeBody(value, encoding)
      const written = await send<boolean>('PUT', kvUrl(props.dc, key, { cas: 0, flags }), body)
      if (!written) return setError(`${key} already exists; open it to edit.`)
      setError(undefined)
      navigate({ view: 'kv', dc: props.dc, path: key })
    } catch (err) {
      setError(describeError(err))
    }
  }
  return (
    <form class="editor" onSubmit={(e) => void submit(e)} aria-labelledby="create-title">
      <h2 id="create-title">Create</h2>
      <ErrorBanner error={error} />
      <label><span>Key or folder (end with / for a folder)</span>
        <span class="prefixed"><code>{props.folder}</code><input name="key" required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} /></span>
      </label>
      {name.endsWith('/') ? null : (
        <>
          <label><span>Value</span><textarea name="value" rows={6} value={value} onInput={(e) => setValue((e.target as HTMLTextAreaElement).value)} /></label>
          <div class="row">
            <label><span>Encoding</span>
              <select value={encoding} onChange={(e) => setEncoding((e.target as HTMLSelectElement).value as Encoding)}><option value="text">Text</option><option value="base64">Base64</option></select>
            </label>
            <label><span>Flags</span><input name="flags" inputMode="numeric" value={flags} onInput={(e) => setFlags((e.target as HTMLInputElement).value)} /></label>
          </div>
        </>
      )}
      <button type="submit" class="primary">Save</button>
    </form>
  )
}

function KeyEditor(props: { dc: string; path: string }) {
  const live = useBlocking<KvPair | null>(kvUrl(props.dc, props.path), (text, status) => (status === 404 ? null : parseKvPairs(text)[0] ?? null))
  const pair = live.data
  const [draft, setDraft] = useState<{ text: string; encoding: Encoding; flags: string; baseIndex: number; dirty: boolean } | undefined>(undefined)
  const [message, setMessage] = useState<{ tone: 'error' | 'ok'; text: string } | undefined>(undefined)
  const [confirming, setConfirming] = useState(false)
  const [holder, setHolder] = useState<{ Node: string; Name: string } | undefined>(undefined)

  useEffect(() => {
    if (!pair || (draft && draft.dirty)) return
    const decoded = decodeValue(pair.Value)
    setDraft({ text: decoded.binary ? pair.Value ?? '' : decoded.text, encoding: decoded.binary ? 'base64' : 'text', flags: pair.Flags, baseIndex: pair.ModifyIndex, dirty: false })
  }, [pair?.ModifyIndex, pair?.Value])

  useEffect(() => {
    if (!pair?.Session) return setHolder(undefined)
    void getJson<{ Node: string; Name: string }[]>(dcPath(`/v1/session/info/${encodeURIComponent(pair.Session)}`, props.dc)).then((r) => setHolder(r.data?.[0]), () => setHolder(undefined))
  }, [pair?.Session])

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
  const changedUnderneath = draft.dirty && pair.ModifyIndex !== draft.baseIndex
  const switchEncoding = (encoding: Encoding) => {
    if (encoding === draft.encoding) return
    try {
      const text = encoding === 'base64' ? bytesToBase64(new TextEncoder().encode(draft.text)) : new TextDecoder('utf-8', { fatal: true }).decode(base64ToBytes(draft.text))
      setDraft({ ...draft, text, encoding })
    } catch {
      setMessage({ tone: 'error', text: 'This value is not valid UTF-8 text; keep editing it as base64.' })
    }
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
  const remove = async () => {
    try {
      const deleted = await send<boolean>('DELETE', kvUrl(props.dc, props.path, { cas: pair.ModifyIndex }))
      if (deleted) navigate({ view: 'kv', dc: props.dc, path: parentFolder(props.path) })
      else setMessage({ tone: 'error', text: `Not deleted: ${props.path} changed meanwhile (CAS failed). Look at the new value first.` })
    } catch (err) {
      setMessage({ tone: 'error', text: describeError(err) })
    }
    setConfirming(false)
  }
  const reload = () => {
    const decoded = decodeValue(pair.Value)
    setDraft({ text: decoded.binary ? pair.Value ?? '' : decoded.text, encoding: decoded.binary ? 'base64' : 'text', flags: pair.Flags, baseIndex: pair.ModifyIndex, dirty: false })
    setMessage(undefined)
  }
  return (
    <>
      <PageHeader title={<span id="kv-title">{leafName(props.path)}</span>}>
        {confirming ? (
          <span class="confirm" role="group" aria-label="Confirm delete">
            Delete <code>{props.path}</code>? <button type="button" class="danger" onClick={() => void remove()}>Yes, delete</button>{' '}
            <button type="button" onClick={() => setConfirming(false)}>Cancel</button>
          </span>
        ) : <button type="button" class="danger" onClick={() => setConfirming(true)}>Delete</button>}
      </PageHeader>
      <ErrorBanner error={live.error} />
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
      {changedUnderneath ? (
        <p class="banner banner-warn" role="status">
          Someone else changed this key (ModifyIndex {draft.baseIndex} → {pair.ModifyIndex}) while you were editing. Saving will be refused.{' '}
          <button type="button" onClick={reload}>Load their value</button>
        </p>
      ) : null}
      {message ? <p class={`banner banner-${message.tone}`} role={message.tone === 'error' ? 'alert' : 'status'} data-testid="kv-message">{message.text}</p> : null}
      <form class="editor" onSubmit={(e) => void save(e)}>
        <label><span>Value ({draft.encoding === 'base64' ? 'base64' : 'text'})</span>
          <textarea name="value" rows={10} value={draft.text} spellcheck={false} onInput={(e) => setDraft({ ...draft, text: (e.target as HTMLTextAreaElement).value, dirty: true })} />
        </label>
        <div class="row">
          <fieldset class="segmented">
            <legend>Show value as</legend>
            <label><input type="radio" name="enc" checked={draft.encoding === 'text'} onChange={() => switchEncoding('text')} /> Text</label>
            <label><input type="radio" name="enc" checked={draft.encoding === 'base64'} onChange={() => switchEncoding('base64')} /> Base64</label>
          </fieldset>
          <label><span>Flags</span><input name="flags" inputMode="numeric" value={draft.flags} onInput={(e) => setDraft({ ...draft, flags: (e.target as HTMLInputElement).value, dirty: true })} /></label>
        </div>
        <button type="submit" class="primary">Save</button>
      </form>
    </>
  )
}
