/** A modal dialog on the native <dialog> element (focus trap and Escape for free). */
import { type ReactNode, useEffect, useRef } from 'react'

interface ModalProps {
  title: string
  open: boolean
  onClose: () => void
  children: ReactNode
  footer?: ReactNode
  wide?: boolean
}

export function Modal({ title, open, onClose, children, footer, wide }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (open && !dialog.open) dialog.showModal?.()
    if (!open && dialog.open) dialog.close?.()
  }, [open])
  if (!open) return null
  return (
    <dialog
      ref={ref}
      className={wide ? 'modal wide' : 'modal'}
      onClose={onClose}
      aria-label={title}
    >
      <div className="modal-head">
        <h3>{title}</h3>
        <button type="button" className="icon-button" onClick={onClose} aria-label="Close">
          ×
        </button>
      </div>
      <div className="modal-body">{children}</div>
      {footer && <div className="modal-foot">{footer}</div>}
    </dialog>
  )
}
