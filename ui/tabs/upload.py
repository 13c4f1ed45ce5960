"""The "Add documents" tab, present only when the app is served with ``--allow-upload`` (``ui.uploads``)."""
from __future__ import annotations

from ui.services import Services
from ui.tabs.decisions import decisions_table
from ui.uploads import UPLOAD_TYPES, add_documents


def build(services: Services, table, ready) -> None:
    import gradio as gr

    with gr.Tab("Add documents"):
        gr.Markdown("PDF, Word (.docx), HTML, Markdown or text. Each file is read, checked and indexed; "
                    "the answers use it as soon as the table below shows it added.")
        uploads = gr.File(file_count="multiple", file_types=UPLOAD_TYPES, label="Documents")
        add = gr.Button("Add to the index", variant="primary")
        added = gr.Dataframe(headers=["file", "result", "detail"], wrap=True, interactive=False)

        def _add(paths, progress=gr.Progress()):
            return add_documents(services, paths, progress), decisions_table(services), services.warm()

        add.click(_add, uploads, [added, table, ready], api_name="add_documents", concurrency_limit=1)
