/**
 * agent/ui/app/views/kv.tsx: the Key/Value browser. A path ending in "/" (or empty) is a folder:
 * its keys and sub-folders (?keys&separator=/), a create form, and a recursive delete. Any other
 * path is a key: its value as text or base64, flags, session holder and indexes, edited with
 * check-and-set (?cas=<ModifyIndex>), so a concurrent change is reported, never overwritten.
 */
import { useState } from 'preact/hooks'
import { describeError, send, useBlocking } from '../http.js'
import { ErrorBanner, Loading, PageHeader } from '../components.js'
import { Link, navigate } from '../router.js'
import { breadcrumbs, isValidFlags, leafName, parentFolder } from '../../lab/kv.js'
import { KeyEditor } from './kv-key.js'
import { encodeBody, kvUrl, type Encoding } from './kv-api.js'

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
