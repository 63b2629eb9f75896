/**
 * agent/ui/app/router.tsx: History API routing. The current Route lives in one signal-like
 * state; links push a new URL and re-render, the back button (popstate) re-reads the URL. The
 * server answers any /ui/* path with index.html, so a refresh lands on the same screen.
 */
import type { ComponentChildren } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { parseRoute, routePath, type Route } from '../lab/routes.js'

const listeners = new Set<() => void>()

/** navigate moves to a route (or path), adding a history entry unless replace is set. */
export function navigate(to: Route | string, replace = false): void {
  const path = typeof to === 'string' ? to : routePath(to)
  if (path === location.pathname + location.search) return
  if (replace) history.replaceState(null, '', path)
  else history.pushState(null, '', path)
  for (const listener of listeners) listener()
}

/** useRoute returns the current Route and re-renders on navigation and back/forward. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname))
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname))
    listeners.add(update)
    addEventListener('popstate', update)
    return () => { listeners.delete(update); removeEventListener('popstate', update) }
  }, [])
  return route
}

/** Link is an anchor that navigates in-app on a plain left click and keeps normal links otherwise. */
export function Link(props: { to: Route; children: ComponentChildren; class?: string; 'aria-current'?: 'page' | undefined }) {
  const href = routePath(props.to)
  return (
    <a
      href={href}
      class={props.class}
      aria-current={props['aria-current']}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
        e.preventDefault()
        navigate(href)
        window.scrollTo(0, 0)
      }}
    >
      {props.children}
    </a>
  )
}
