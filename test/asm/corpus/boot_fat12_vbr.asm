; boot_fat12_vbr.asm - FAT12 floppy volume boot record: jmp short over the
; BIOS parameter block + nop, BPB and extended BPB fields emitted with
; db/dw/dd and space-padded strings (times to fixed widths), LBA-to-CHS
; conversion with div, root-directory scan for an 8.3 name with repe cmpsb,
; FAT12 cluster chain walking (odd/even 12-bit entries), and the 0xaa55
; signature placed at offset 510.

bits 16
org 0x7c00

SECTORS_PER_TRACK equ 18
HEADS             equ 2
LOAD_SEG          equ 0x1000
FAT_BUF           equ 0x7e00
ROOT_BUF          equ 0x8200

    jmp short boot
    nop

; ---- BIOS parameter block --------------------------------------------------
oem_name:           db "HYPRSTEP"
bytes_per_sector:   dw 512
sectors_per_cluster: db 1
reserved_sectors:   dw 1
fat_count:          db 2
root_entries:       dw 224
total_sectors:      dw 2880
media:              db 0xF0
sectors_per_fat:    dw 9
sectors_per_track:  dw SECTORS_PER_TRACK
head_count:         dw HEADS
hidden_sectors:     dd 0
total_sectors_big:  dd 0
; ---- extended BPB ---------------------------------------------------------
drive_number:       db 0
                    db 0
ext_signature:      db 0x29
volume_id:          dd 0x20240101
volume_label:       db "HYPERSTEP"
                    times 11 - ($ - volume_label) db ' '
fs_type:            db "FAT12"
                    times 8 - ($ - fs_type) db ' '

ROOT_DIR_SECTORS equ (224 * 32 + 511) / 512
FIRST_ROOT_SECTOR equ 1 + 2 * 9
FIRST_DATA_SECTOR equ FIRST_ROOT_SECTOR + ROOT_DIR_SECTORS

boot:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7c00
    sti
    mov [drive_number], dl

    ; read the root directory
    mov ax, FIRST_ROOT_SECTOR
    mov cx, ROOT_DIR_SECTORS
    mov bx, ROOT_BUF
    call read_sectors

    ; find the kernel entry
    mov cx, [root_entries]
    mov di, ROOT_BUF
.search:
    push cx
    push di
    mov si, kernel_name
    mov cx, 11
    repe cmpsb
    pop di
    pop cx
    je .found
    add di, 32
    loop .search
    jmp fail
.found:
    mov ax, [di + 26]           ; first cluster
    mov [cluster], ax

    ; read the first FAT
    mov ax, 1
    mov cx, 9
    mov bx, FAT_BUF
    call read_sectors

    ; follow the cluster chain into LOAD_SEG:0
    mov ax, LOAD_SEG
    mov es, ax
    xor bx, bx
.next_cluster:
    mov ax, [cluster]
    add ax, FIRST_DATA_SECTOR - 2
    mov cx, 1
    call read_sectors
    add bx, 512
    ; next = FAT[cluster * 3 / 2], 12 bits
    mov ax, [cluster]
    mov si, ax
    shr si, 1
    add si, ax
    mov dx, [FAT_BUF + si]
    test al, 1
    jz .even
    shr dx, 4
    jmp short .got
.even:
    and dx, 0x0FFF
.got:
    mov [cluster], dx
    cmp dx, 0x0FF8
    jb .next_cluster
    mov dl, [drive_number]
    jmp LOAD_SEG:0

; read cx sectors starting at LBA ax into es:bx
read_sectors:
    pusha
.next:
    push ax
    push cx
    xor dx, dx
    div word [sectors_per_track]
    mov cl, dl
    inc cl                      ; sector (1-based)
    xor dx, dx
    div word [head_count]
    mov dh, dl                  ; head
    mov ch, al                  ; cylinder
    mov dl, [drive_number]
    mov ax, 0x0201
    int 0x13
    jc fail
    pop cx
    pop ax
    inc ax
    add bx, 512
    loop .next
    popa
    ret

fail:
    mov si, msg_fail
.print:
    lodsb
    or al, al
    jz .halt
    mov ah, 0x0E
    int 0x10
    jmp .print
.halt:
    cli
    hlt

cluster:     dw 0
kernel_name: db "KERNEL  BIN"
msg_fail:    db "Boot failed", 0

    times 510 - ($ - $$) db 0
    dw 0xAA55
